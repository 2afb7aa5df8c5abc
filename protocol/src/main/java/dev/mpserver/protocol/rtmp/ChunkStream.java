package dev.mpserver.protocol.rtmp;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a {@link ChunkDecoder} remembers about one incoming chunk stream: the last message header
 * (fmt 1, 2 and 3 headers leave out what did not change) and the message being assembled.
 *
 * <p>The assembly buffer grows with the bytes that actually arrive (doubling, never past the
 * message's length), not with the length a header announces: a peer cannot make the decoder
 * allocate memory it has not sent. It is kept for the next message, so a steady stream allocates
 * nothing once its largest message has been seen.
 */
final class ChunkStream
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
    /** The extended timestamp of the message being assembled, which continuation chunks may repeat. */
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
    void growAssembly(final int capacity)
    {
        final byte[] larger = new byte[capacity];
        assembly.getBytes(0, larger, 0, received);
        assembly.wrap(larger);
    }

    void dropMessage()
    {
        inProgress = false;
        received = 0;
    }
}
