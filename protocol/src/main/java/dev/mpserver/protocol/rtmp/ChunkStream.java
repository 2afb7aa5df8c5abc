package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_MARKER;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_0;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_1;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_2;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_STREAM_ID_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TYPE_ID_OFFSET;

/**
 * What a chunk reader remembers about one incoming chunk stream: the last message header (fmt 1, 2
 * and 3 headers leave out what did not change; {@link ChunkHeaderReader} fills it in) and the
 * message being received, with the buffer its reader keeps of it.
 *
 * <p>The buffer grows with the bytes that actually arrive, never past the message's length, not
 * with the length a header announces: a peer cannot make a reader allocate memory it has not sent.
 * It is kept for the next message, so a steady stream allocates nothing once its largest message
 * has been seen.
 */
public final class ChunkStream
{
    /** Smallest assembly buffer worth allocating. */
    static final int MIN_ASSEMBLY_CAPACITY = 1024;

    private static final byte[] NO_BYTES = new byte[0];

    final int csid;

    /** A header has been seen, so fmt 1, 2 and 3 have something to refer to. */
    boolean hasHeader;
    int timestamp;
    /** What a fmt 3 that starts a message adds; after a fmt 0, that fmt 0's timestamp (spec 5.3.1.2.4). */
    int timestampDelta;
    /** The last 3-byte timestamp field as received: {@link ChunkHeader#EXTENDED_TIMESTAMP_MARKER} or not. */
    int timestampField;
    /** The extended timestamp of the message being received, which continuation chunks may repeat. */
    int extendedTimestamp;
    int messageLength;
    int typeId;
    int messageStreamId;

    /** A message has started and not all of its bytes have arrived. */
    boolean inProgress;
    /** Payload bytes of the message in progress that have arrived. */
    int received;

    final UnsafeBuffer assembly = new UnsafeBuffer(NO_BYTES);

    ChunkStream(final int csid)
    {
        this.csid = csid;
    }

    /** @return the timestamp of the message in progress (or the last one). */
    public int timestamp()
    {
        return timestamp;
    }

    public int typeId()
    {
        return typeId;
    }

    public int messageStreamId()
    {
        return messageStreamId;
    }

    public int messageLength()
    {
        return messageLength;
    }

    /** @return payload bytes of the message in progress that have arrived. */
    public int received()
    {
        return received;
    }

    /** Count {@code more} payload bytes of the message in progress as arrived. */
    public void addReceived(final int more)
    {
        received += more;
    }

    /** @return the buffer its reader keeps of the message in progress (empty until {@link #growAssembly}). */
    public UnsafeBuffer assembly()
    {
        return assembly;
    }

    /** @return the capacity the assembly buffer needs to take {@code more} bytes of the message in progress. */
    int capacityFor(final int more)
    {
        final int needed = received + more;
        final int capacity = assembly.capacity();
        if (capacity >= needed)
        {
            return capacity;
        }
        final int doubled = Math.max(MIN_ASSEMBLY_CAPACITY, capacity << 1);
        return Math.min(messageLength, Math.max(needed, doubled));
    }

    /** Replace the assembly buffer by a larger one, keeping the bytes received so far. */
    public void growAssembly(final int capacity)
    {
        final byte[] larger = new byte[capacity];
        assembly.getBytes(0, larger, 0, received);
        assembly.wrap(larger);
    }

    /** The message in progress is done, or aborted. */
    public void dropMessage()
    {
        inProgress = false;
        received = 0;
    }

    /** A message starts with this header: the timestamp rules of spec 5.3.1.2 (see {@link ChunkHeader}). */
    void startMessage(
        final DirectBuffer buffer, final int messageHeader, final int fmt, final int timestampOrDelta, final int length)
    {
        switch (fmt)
        {
            case FMT_0:
                timestamp = timestampOrDelta;
                timestampDelta = timestampOrDelta;
                messageStreamId = buffer.getInt(messageHeader + MESSAGE_STREAM_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
                break;

            case FMT_1:
                if (!hasHeader)
                {
                    timestamp = 0;
                    messageStreamId = 0;
                }
                timestamp += timestampOrDelta;
                timestampDelta = timestampOrDelta;
                break;

            case FMT_2:
                timestamp += timestampOrDelta;
                timestampDelta = timestampOrDelta;
                break;

            default:
                if (EXTENDED_TIMESTAMP_MARKER == timestampField)
                {
                    timestampDelta = timestampOrDelta;
                }
                timestamp += timestampDelta;
                break;
        }
        if (FMT_0 == fmt || FMT_1 == fmt)
        {
            messageLength = length;
            typeId = buffer.getByte(messageHeader + TYPE_ID_OFFSET) & 0xFF;
        }
        hasHeader = true;
        inProgress = true;
        received = 0;
    }
}
