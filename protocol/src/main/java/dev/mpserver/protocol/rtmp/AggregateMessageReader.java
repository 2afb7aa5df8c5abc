package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Iterates over the sub-messages of an Aggregate message (type 22): FLV tags, each followed by its
 * previous-tag-size. A flyweight: no allocation, reusable with {@link #wrap}.
 *
 * <pre>
 *   0       1                       4                       7       8                       11
 *   +-------+-----------------------+-----------------------+-------+-----------------------+
 *   | type  | data size: u24 BE     | timestamp: u24 BE     | ts ext| stream id: u24 (0)    |
 *   +-------+-----------------------+-----------------------+-------+-----------------------+
 *   | data: data size bytes ...                                                              |
 *   +-------------------------------+--------------------------------------------------------+
 *   | previous tag size: u32 BE     |   = 11 + data size
 *   +-------------------------------+
 *   ^ TAG_TYPE_OFFSET, DATA_SIZE_OFFSET, TIMESTAMP_OFFSET, TIMESTAMP_EXTENDED_OFFSET, STREAM_ID_OFFSET
 * </pre>
 *
 * Timestamps: the tags' own timestamps are the publisher's clock; the aggregate's message timestamp
 * is the first tag's on the RTMP clock. As ffmpeg reads them ({@code handle_metadata}), a tag's
 * RTMP timestamp is the message timestamp plus its offset from the first tag's timestamp.
 *
 * <pre>{@code
 * reader.wrap(buffer, offset, length, messageTimestamp);
 * while (reader.next()) { reader.tagType(), reader.timestamp(), reader.dataOffset(), reader.dataLength() }
 * if (reader.isMalformed()) -> reader.malformedReason()
 * }</pre>
 */
public final class AggregateMessageReader
{
    public static final int TAG_TYPE_OFFSET = 0;
    public static final int DATA_SIZE_OFFSET = TAG_TYPE_OFFSET + Byte.BYTES;
    public static final int TIMESTAMP_OFFSET = DATA_SIZE_OFFSET + 3;
    public static final int TIMESTAMP_EXTENDED_OFFSET = TIMESTAMP_OFFSET + 3;
    public static final int STREAM_ID_OFFSET = TIMESTAMP_EXTENDED_OFFSET + Byte.BYTES;
    public static final int TAG_HEADER_LENGTH = STREAM_ID_OFFSET + 3;
    public static final int PREVIOUS_TAG_SIZE_LENGTH = Integer.BYTES;

    private DirectBuffer buffer;
    private int position;
    private int limit;
    private int messageTimestamp;
    private int firstTagTimestamp;
    private boolean first;
    private String malformedReason;

    private int tagType;
    private int timestamp;
    private int dataOffset;
    private int dataLength;

    /**
     * @param buffer           holding the aggregate message's payload.
     * @param offset           where it starts.
     * @param length           its length.
     * @param messageTimestamp the aggregate message's RTMP timestamp.
     * @return this.
     */
    public AggregateMessageReader wrap(
        final DirectBuffer buffer, final int offset, final int length, final int messageTimestamp)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.messageTimestamp = messageTimestamp;
        this.first = true;
        this.malformedReason = null;
        return this;
    }

    /**
     * Move to the next sub-message.
     *
     * @return false at the end, or when the rest is malformed ({@link #isMalformed()}).
     */
    public boolean next()
    {
        if (null != malformedReason || position >= limit)
        {
            return false;
        }
        final int remaining = limit - position;
        if (remaining < TAG_HEADER_LENGTH)
        {
            return malformed("aggregate ends inside a tag header");
        }
        final int size = ChunkHeader.getInt24(buffer, position + DATA_SIZE_OFFSET);
        if ((long)TAG_HEADER_LENGTH + size + PREVIOUS_TAG_SIZE_LENGTH > remaining)
        {
            return malformed("aggregate tag of " + size + " bytes runs past the message's end");
        }
        final int tagTimestamp = ChunkHeader.getInt24(buffer, position + TIMESTAMP_OFFSET) |
            ((buffer.getByte(position + TIMESTAMP_EXTENDED_OFFSET) & 0xFF) << 24);
        if (first)
        {
            firstTagTimestamp = tagTimestamp;
            first = false;
        }

        tagType = buffer.getByte(position + TAG_TYPE_OFFSET) & 0xFF;
        timestamp = messageTimestamp + (tagTimestamp - firstTagTimestamp);
        dataOffset = position + TAG_HEADER_LENGTH;
        dataLength = size;
        position += TAG_HEADER_LENGTH + size + PREVIOUS_TAG_SIZE_LENGTH;
        return true;
    }

    /** @return the sub-message's type: {@link MessageType#AUDIO}, {@link MessageType#VIDEO} or {@link MessageType#AMF0_DATA}. */
    public int tagType()
    {
        return tagType;
    }

    /** @return the sub-message's RTMP timestamp (see the class comment). */
    public int timestamp()
    {
        return timestamp;
    }

    public int dataOffset()
    {
        return dataOffset;
    }

    public int dataLength()
    {
        return dataLength;
    }

    /** @return the previous-tag-size that follows the current sub-message (11 + data length when well formed). */
    public int previousTagSize()
    {
        return buffer.getInt(dataOffset + dataLength, ByteOrder.BIG_ENDIAN);
    }

    public boolean isMalformed()
    {
        return null != malformedReason;
    }

    public String malformedReason()
    {
        return malformedReason;
    }

    private boolean malformed(final String reason)
    {
        malformedReason = reason;
        return false;
    }
}
