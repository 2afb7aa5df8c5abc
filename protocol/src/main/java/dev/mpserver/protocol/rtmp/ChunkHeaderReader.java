package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_ESCAPE_BASE;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_FIELD_THREE_BYTES;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_FIELD_TWO_BYTES;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_MASK;
import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_LENGTH;
import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_MARKER;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_0;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_1;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_2;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_3;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_SHIFT;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_LENGTH_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TIMESTAMP_OFFSET;

/**
 * Reads chunk headers (layouts: {@link ChunkHeader}) and applies each to its {@link ChunkStream}:
 * what a fmt 1, 2 or 3 header leaves out comes from the stream's last header. The one reading of
 * the header rules for every chunk reader: the {@link ChunkDecoder} that assembles whole messages
 * and loadgen's reader that skims media.
 *
 * <ul>
 *   <li>The extended timestamp on fmt 3 continuation chunks: ffmpeg and nginx-rtmp repeat it,
 *       some senders do not. As SRS does, the reader compares the 4 bytes after such a chunk's
 *       basic header with the message's extended timestamp: equal means repeated. The first such
 *       chunk also settles it for the connection: once a sender has been seen not to repeat, the
 *       bytes are never taken for a timestamp again (no payload can be mistaken for one later).
 *       Until it is settled the reader needs those 4 bytes to decide, so a non-repeating sender's
 *       first such chunk is read when 4 more bytes have arrived (the next message's).</li>
 *   <li>A fmt 1 header on a fresh chunk stream (librtmp sends its pings so) is accepted with
 *       message stream id 0; a fmt 1 or 2 header in the middle of a message is accepted if it does
 *       not change the length, as ffmpeg and SRS accept it.</li>
 *   <li>Broken: a fmt 2 or 3 header on a chunk stream without a previous header, a fmt 0 in the
 *       middle of a message, a message longer than the reader's limit, one chunk stream more than
 *       the {@link ChunkStreams} allow.</li>
 * </ul>
 * One instance per connection direction; allocation-free but for a chunk stream's first header.
 */
public final class ChunkHeaderReader
{
    /** Not all of the header has arrived; nothing changed. */
    public static final int INCOMPLETE = 0;
    /** The header breaks the rules: see {@link #failureReason()}. */
    public static final int BROKEN = -1;

    /** Whether the peer repeats the extended timestamp on continuation chunks: not seen yet. */
    private static final int REPEAT_UNKNOWN = 0;
    private static final int REPEAT_SEEN = 1;
    private static final int REPEAT_OMITTED = 2;

    private final int maxMessageLength;
    private int extendedRepeat = REPEAT_UNKNOWN;
    private ChunkStream stream;
    private String failureReason;

    /** @param maxMessageLength longest message accepted, 0..{@link ChunkHeader#MAX_MESSAGE_LENGTH}. */
    public ChunkHeaderReader(final int maxMessageLength)
    {
        if (maxMessageLength < 0 || maxMessageLength > ChunkHeader.MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("max message length " + maxMessageLength + " outside 0..16777215");
        }
        this.maxMessageLength = maxMessageLength;
    }

    /** Forget what the connection settled, for a new one. */
    public void reset()
    {
        extendedRepeat = REPEAT_UNKNOWN;
        stream = null;
        failureReason = null;
    }

    /** @return the chunk stream of the header read last. */
    public ChunkStream stream()
    {
        return stream;
    }

    /** @return why the last header was {@link #BROKEN}. */
    public String failureReason()
    {
        return failureReason;
    }

    /**
     * Read the chunk header at {@code position} and apply it to its chunk stream (found in, or added
     * to, {@code streams}); on success {@link #stream()} is that chunk stream.
     *
     * @return the header's length, {@link #INCOMPLETE} or {@link #BROKEN}.
     */
    public int read(final DirectBuffer buffer, final int position, final int available, final ChunkStreams streams)
    {
        final int first = buffer.getByte(position) & 0xFF;
        final int fmt = first >>> FMT_SHIFT;
        final int csidField = first & CSID_MASK;
        final int basicLength;
        final int csid;
        if (CSID_FIELD_TWO_BYTES == csidField)
        {
            if (available < 2)
            {
                return INCOMPLETE;
            }
            basicLength = 2;
            csid = CSID_ESCAPE_BASE + (buffer.getByte(position + 1) & 0xFF);
        }
        else if (CSID_FIELD_THREE_BYTES == csidField)
        {
            if (available < 3)
            {
                return INCOMPLETE;
            }
            basicLength = 3;
            csid = CSID_ESCAPE_BASE + (buffer.getShort(position + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        }
        else
        {
            basicLength = 1;
            csid = csidField;
        }

        ChunkStream stream = streams.find(csid);
        final boolean fresh = null == stream || !stream.hasHeader;
        if (fresh && (FMT_2 == fmt || FMT_3 == fmt))
        {
            return fail("chunk stream " + csid + " starts with a fmt " + fmt + " header, which refers to a previous one");
        }
        final boolean continuation = null != stream && stream.inProgress;
        if (continuation && FMT_0 == fmt)
        {
            return fail("fmt 0 header in the middle of a message on chunk stream " + csid);
        }

        final int messageHeader = position + basicLength;
        int headerLength = basicLength + ChunkHeader.messageHeaderLength(fmt);
        if (available < headerLength)
        {
            return INCOMPLETE;
        }

        final int timestampField = FMT_3 == fmt ?
            stream.timestampField : ChunkHeader.getInt24(buffer, messageHeader + TIMESTAMP_OFFSET);
        boolean extended = EXTENDED_TIMESTAMP_MARKER == timestampField;
        int extendedTimestamp = 0;
        if (extended)
        {
            final boolean mayBeRepeated = FMT_3 == fmt && continuation;
            if (mayBeRepeated && REPEAT_OMITTED == extendedRepeat)
            {
                // This sender does not repeat it: do not wait for 4 bytes that may be the next message.
                extended = false;
            }
            else
            {
                if (available < headerLength + EXTENDED_TIMESTAMP_LENGTH)
                {
                    return INCOMPLETE;
                }
                extendedTimestamp = buffer.getInt(position + headerLength, ByteOrder.BIG_ENDIAN);
                if (mayBeRepeated)
                {
                    extended = isRepeatedExtendedTimestamp(stream, extendedTimestamp);
                }
                if (extended)
                {
                    headerLength += EXTENDED_TIMESTAMP_LENGTH;
                }
            }
        }

        final int announcedLength = FMT_0 == fmt || FMT_1 == fmt ?
            ChunkHeader.getInt24(buffer, messageHeader + MESSAGE_LENGTH_OFFSET) : 0;
        if (continuation)
        {
            if (FMT_1 == fmt && announcedLength != stream.messageLength)
            {
                return fail("message length changed from " + stream.messageLength + " to " + announcedLength +
                    " in the middle of a message on chunk stream " + csid);
            }
        }
        else
        {
            if ((FMT_0 == fmt || FMT_1 == fmt) && announcedLength > maxMessageLength)
            {
                return fail("message of " + announcedLength + " bytes on chunk stream " + csid +
                    " is over the limit of " + maxMessageLength);
            }
            if (null == stream)
            {
                stream = streams.add(csid);
                if (null == stream)
                {
                    return fail("chunk stream " + csid + " would be one more than the " + streams.max() + " allowed");
                }
            }
            stream.startMessage(buffer, messageHeader, fmt, extended ? extendedTimestamp : timestampField, announcedLength);
            if (FMT_3 != fmt)
            {
                stream.timestampField = timestampField;
            }
            stream.extendedTimestamp = extendedTimestamp;
        }

        this.stream = stream;
        return headerLength;
    }

    /** SRS's test; the first answer is kept for the connection ({@link #read} stops asking once it was no). */
    private boolean isRepeatedExtendedTimestamp(final ChunkStream stream, final int nextFourBytes)
    {
        final boolean repeated = nextFourBytes == stream.extendedTimestamp;
        if (REPEAT_UNKNOWN == extendedRepeat)
        {
            extendedRepeat = repeated ? REPEAT_SEEN : REPEAT_OMITTED;
        }
        return repeated;
    }

    private int fail(final String reason)
    {
        failureReason = reason;
        stream = null;
        return BROKEN;
    }
}
