package dev.mpserver.master.process;

import dev.mpserver.protocol.channel.ChannelFrame;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Clients waiting for a worker that is not READY yet, in arrival order: each one's fd, shard and
 * session-state payload (forwarded unopened). Bounded in count; the payload bytes live in one
 * buffer that grows to what was needed once and is reused.
 */
public final class PendingHandoffs
{
    /** Where waiting clients go when they are taken out (forwarded, rerouted, refused). */
    @FunctionalInterface
    public interface Sink
    {
        void accept(int shardId, int fd, DirectBuffer payload, int payloadOffset, int payloadLength);
    }

    private final int[] fds;
    private final int[] shards;
    private final int[] payloadOffsets;
    private final int[] payloadLengths;
    private final ExpandableDirectByteBuffer payloads = new ExpandableDirectByteBuffer(ChannelFrame.HEADER_LENGTH);
    private int count;
    private int payloadLimit;

    public PendingHandoffs(final int capacity)
    {
        fds = new int[capacity];
        shards = new int[capacity];
        payloadOffsets = new int[capacity];
        payloadLengths = new int[capacity];
    }

    public int count()
    {
        return count;
    }

    /** @return false when full: the caller still owns the fd */
    public boolean add(final int shardId, final int fd, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        if (count == fds.length)
        {
            return false;
        }
        fds[count] = fd;
        shards[count] = shardId;
        payloadOffsets[count] = payloadLimit;
        payloadLengths[count] = payloadLength;
        if (payloadLength > 0)
        {
            payloads.putBytes(payloadLimit, payload, payloadOffset, payloadLength);
            payloadLimit += payloadLength;
        }
        count++;
        return true;
    }

    /**
     * Hands every waiting client to {@code sink}, oldest first, and empties the list. The sink
     * must not add to this list (a worker's own waiting clients never come back to it).
     */
    public void drainTo(final Sink sink)
    {
        final int waiting = count;
        count = 0;
        for (int i = 0; i < waiting; i++)
        {
            sink.accept(shards[i], fds[i], payloads, payloadOffsets[i], payloadLengths[i]);
        }
        payloadLimit = 0;
    }
}
