package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Bodies of the protocol control messages (RTMP 1.0 spec 5.4), sent on chunk stream 2, message
 * stream 0. All fields big-endian.
 *
 * <pre>
 *  type 1 Set Chunk Size       0                               4
 *                              +-+-----------------------------+
 *                              |0|   chunk size: 31 bits       |   1..2147483647
 *                              +-+-----------------------------+
 *  type 2 Abort Message        +-------------------------------+
 *                              |   chunk stream id: u32        |   its partial message is dropped
 *                              +-------------------------------+
 *  type 3 Acknowledgement      +-------------------------------+
 *                              |   sequence number: u32        |   bytes received so far (wraps)
 *                              +-------------------------------+
 *  type 5 Window Ack Size      +-------------------------------+
 *                              |   window size: u32            |   acknowledge every this many bytes
 *                              +-------------------------------+
 *  type 6 Set Peer Bandwidth   0                               4       5
 *                              +-------------------------------+-------+
 *                              |   window size: u32            | limit |   0 hard, 1 soft, 2 dynamic
 *                              +-------------------------------+-------+
 *                              ^ VALUE_OFFSET                  ^ LIMIT_TYPE_OFFSET
 * </pre>
 */
public final class ProtocolControl
{
    public static final int VALUE_OFFSET = 0;
    public static final int LIMIT_TYPE_OFFSET = VALUE_OFFSET + Integer.BYTES;

    public static final int SET_CHUNK_SIZE_LENGTH = Integer.BYTES;
    public static final int ABORT_LENGTH = Integer.BYTES;
    public static final int ACKNOWLEDGEMENT_LENGTH = Integer.BYTES;
    public static final int WINDOW_ACK_SIZE_LENGTH = Integer.BYTES;
    public static final int SET_PEER_BANDWIDTH_LENGTH = LIMIT_TYPE_OFFSET + Byte.BYTES;

    /** Longest protocol control body. */
    public static final int MAX_LENGTH = SET_PEER_BANDWIDTH_LENGTH;

    public static final int LIMIT_HARD = 0;
    public static final int LIMIT_SOFT = 1;
    public static final int LIMIT_DYNAMIC = 2;

    private ProtocolControl()
    {
    }

    /** @return bytes written: 4. */
    public static int putSetChunkSize(final MutableDirectBuffer buffer, final int offset, final int chunkSize)
    {
        buffer.putInt(offset + VALUE_OFFSET, chunkSize & ChunkHeader.MAX_CHUNK_SIZE, ByteOrder.BIG_ENDIAN);
        return SET_CHUNK_SIZE_LENGTH;
    }

    /** @return the chunk size of a Set Chunk Size body; 0 or negative (top bit set) is invalid. */
    public static int chunkSize(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VALUE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** @return bytes written: 4. */
    public static int putAbort(final MutableDirectBuffer buffer, final int offset, final int csid)
    {
        buffer.putInt(offset + VALUE_OFFSET, csid, ByteOrder.BIG_ENDIAN);
        return ABORT_LENGTH;
    }

    public static int abortedCsid(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VALUE_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @param sequenceNumber bytes received so far; the low 32 bits are sent (the field wraps).
     * @return bytes written: 4.
     */
    public static int putAcknowledgement(final MutableDirectBuffer buffer, final int offset, final long sequenceNumber)
    {
        buffer.putInt(offset + VALUE_OFFSET, (int)sequenceNumber, ByteOrder.BIG_ENDIAN);
        return ACKNOWLEDGEMENT_LENGTH;
    }

    /** @return the sequence number of an Acknowledgement, unsigned. */
    public static long sequenceNumber(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VALUE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** @return bytes written: 4. */
    public static int putWindowAckSize(final MutableDirectBuffer buffer, final int offset, final int windowSize)
    {
        buffer.putInt(offset + VALUE_OFFSET, windowSize, ByteOrder.BIG_ENDIAN);
        return WINDOW_ACK_SIZE_LENGTH;
    }

    /** @return the window size of a Window Ack Size or Set Peer Bandwidth body, unsigned. */
    public static long windowSize(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + VALUE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
    }

    /** @return bytes written: 5. */
    public static int putSetPeerBandwidth(
        final MutableDirectBuffer buffer, final int offset, final int windowSize, final int limitType)
    {
        buffer.putInt(offset + VALUE_OFFSET, windowSize, ByteOrder.BIG_ENDIAN);
        buffer.putByte(offset + LIMIT_TYPE_OFFSET, (byte)limitType);
        return SET_PEER_BANDWIDTH_LENGTH;
    }

    /** @return the limit type of a Set Peer Bandwidth body ({@link #LIMIT_HARD}, ...). */
    public static int limitType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + LIMIT_TYPE_OFFSET) & 0xFF;
    }
}
