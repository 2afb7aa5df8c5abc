package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

/**
 * Recognises the data messages (type 18, or 15 after its 0x00) a live relay treats specially,
 * in place and allocation-free.
 *
 * <pre>
 * publisher → server   "@setDataFrame" "onMetaData" {ECMA array: duration, width, height, ...}
 * server → player      "onMetaData" {ECMA array ...}          (the same body without @setDataFrame)
 * </pre>
 * A relay keeps the bytes from {@link #metaDataOffset} to the end and sends them to every player as
 * a type 18 message: what ffmpeg and Flash expect to receive.
 */
public final class DataMessage
{
    public static final int NOT_METADATA = -1;

    private DataMessage()
    {
    }

    /** @return true if the body starts with the string {@code @setDataFrame}. */
    public static boolean isSetDataFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        return Amf0.isString(buffer, offset, offset + length, CommandName.SET_DATA_FRAME);
    }

    /** @return true if the body is metadata: {@code onMetaData ...} or {@code @setDataFrame onMetaData ...}. */
    public static boolean isMetaData(final DirectBuffer buffer, final int offset, final int length)
    {
        return metaDataOffset(buffer, offset, length) != NOT_METADATA;
    }

    /**
     * @return where the {@code onMetaData} string starts (after a leading {@code @setDataFrame}), or
     * {@link #NOT_METADATA}.
     */
    public static int metaDataOffset(final DirectBuffer buffer, final int offset, final int length)
    {
        final int limit = offset + length;
        int at = offset;
        if (Amf0.isString(buffer, at, limit, CommandName.SET_DATA_FRAME))
        {
            at += Amf0.stringLength(CommandName.SET_DATA_FRAME);
        }
        return Amf0.isString(buffer, at, limit, CommandName.ON_METADATA) ? at : NOT_METADATA;
    }
}
