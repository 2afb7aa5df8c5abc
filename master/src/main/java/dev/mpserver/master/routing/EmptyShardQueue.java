package dev.mpserver.master.routing;

/**
 * The moments shards went empty, oldest first: a ring of (shard id, time) pairs that grows by
 * doubling. Every entry is appended at "now", so the queue is in time order and expiry only ever
 * looks at its head. An entry may be stale (the shard got a client again, or went empty again
 * later): the owner checks each one it takes against its own record.
 */
final class EmptyShardQueue
{
    private static final int INITIAL_CAPACITY = 1024;

    private int[] shards = new int[INITIAL_CAPACITY];
    private long[] sinceNanos = new long[INITIAL_CAPACITY];
    private int head;
    private int size;

    void add(final int shardId, final long nowNanos)
    {
        if (size == shards.length)
        {
            grow();
        }
        final int at = index(size);
        shards[at] = shardId;
        sinceNanos[at] = nowNanos;
        size++;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    int headShard()
    {
        return shards[head];
    }

    long headSinceNanos()
    {
        return sinceNanos[head];
    }

    void removeHead()
    {
        head = index(1);
        size--;
    }

    int size()
    {
        return size;
    }

    private int index(final int offset)
    {
        return (head + offset) & (shards.length - 1);
    }

    private void grow()
    {
        final int[] moreShards = new int[shards.length * 2];
        final long[] moreSince = new long[shards.length * 2];
        for (int i = 0; i < size; i++)
        {
            moreShards[i] = shards[index(i)];
            moreSince[i] = sinceNanos[index(i)];
        }
        shards = moreShards;
        sinceNanos = moreSince;
        head = 0;
    }
}
