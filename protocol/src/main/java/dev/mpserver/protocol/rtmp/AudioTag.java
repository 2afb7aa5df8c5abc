package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

/**
 * Facts about an audio message body (type 8; an FLV audio tag body), read in place, allocation-free.
 *
 * <pre>
 *   0                               1               2
 *   +-------+-----+---+---+---------+---------------+
 *   | sound | rate|siz|typ| AAC packet type         |   legacy; AAC is sound format 10
 *   | format|     | e | e |  0 = sequence header (AudioSpecificConfig), 1 = raw
 *   +-------+-----+---+---+---------------+
 *   | 9 (Ex |packet |  FourCC 'mp4a' 'Opus' ...      enhanced RTMP v2: sound format 9 = ExHeader,
 *   |Header)| type  |                                low nibble = packet type, 0 = SequenceStart
 *   +-------+-------+
 * </pre>
 */
public final class AudioTag
{
    public static final int HEADER_BYTE_OFFSET = 0;
    public static final int AAC_PACKET_TYPE_OFFSET = 1;
    public static final int SOUND_FORMAT_SHIFT = 4;
    public static final int LOW_NIBBLE = 0x0F;

    public static final int SOUND_FORMAT_MP3 = 2;
    public static final int SOUND_FORMAT_EX_HEADER = 9;
    public static final int SOUND_FORMAT_AAC = 10;
    public static final int SOUND_FORMAT_SPEEX = 11;

    public static final int AAC_SEQUENCE_HEADER = 0;
    public static final int AAC_RAW = 1;
    public static final int PACKET_TYPE_SEQUENCE_START = 0;

    private AudioTag()
    {
    }

    /** @return the sound format (10 AAC, 2 MP3, 9 enhanced ...), or -1 for an empty body. */
    public static int soundFormat(final DirectBuffer buffer, final int offset, final int length)
    {
        return length < 1 ? -1 : (buffer.getByte(offset + HEADER_BYTE_OFFSET) & 0xFF) >>> SOUND_FORMAT_SHIFT;
    }

    /**
     * @return true for a decoder configuration a player needs before any frame: AAC (format 10) with
     * packet type 0, or an enhanced (format 9) SequenceStart.
     */
    public static boolean isSequenceHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        final int format = soundFormat(buffer, offset, length);
        if (format == SOUND_FORMAT_EX_HEADER)
        {
            return (buffer.getByte(offset + HEADER_BYTE_OFFSET) & LOW_NIBBLE) == PACKET_TYPE_SEQUENCE_START;
        }
        return format == SOUND_FORMAT_AAC && length > AAC_PACKET_TYPE_OFFSET &&
            buffer.getByte(offset + AAC_PACKET_TYPE_OFFSET) == AAC_SEQUENCE_HEADER;
    }
}
