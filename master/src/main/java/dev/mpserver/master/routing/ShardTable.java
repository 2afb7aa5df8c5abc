package dev.mpserver.master.routing;

import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Long2LongHashMap;

/**
 * shard id → worker slot. The master is the only writer; every client of a shard is sent to the
 * slot this table names for as long as the shard has clients.
 *
 * <p>A worker says SHARD_GONE when its last client of a shard leaves, with the seq of the last
 * master frame it had read. If the master forwarded a client of that shard after that seq, the
 * message is stale (that client is there now) and is ignored; otherwise the shard is marked empty
 * and forgotten after the TTL, unless a new client arrives first.
 */
public final class ShardTable
{
    public static final int NONE = -1;
    private static final long NOT_EMPTY = Long.MIN_VALUE;

    private final Int2IntHashMap owner = new Int2IntHashMap(NONE);
    private final Int2IntHashMap lastForwardSeq = new Int2IntHashMap(0);
    private final Long2LongHashMap emptySince = new Long2LongHashMap(NOT_EMPTY);

    public int owner(final int shardId)
    {
        return owner.get(shardId);
    }

    public int size()
    {
        return owner.size();
    }

    public void assign(final int shardId, final int slot)
    {
        owner.put(shardId, slot);
    }

    /** A client of the shard went to its owner in the frame numbered {@code seq}. */
    public void forwarded(final int shardId, final int seq)
    {
        lastForwardSeq.put(shardId, seq);
        emptySince.remove(shardId);
    }

    /** @return true if the report was current and the shard is now empty. */
    public boolean gone(final int shardId, final int slot, final int seenSeq, final long nowNanos)
    {
        if (owner.get(shardId) != slot || seenSeq - lastForwardSeq.get(shardId) < 0)
        {
            return false;
        }
        emptySince.put(shardId, nowNanos);
        return true;
    }

    public void remove(final int shardId)
    {
        owner.remove(shardId);
        lastForwardSeq.remove(shardId);
        emptySince.remove(shardId);
    }

    /** Forgets every shard of a worker that died or is draining; returns how many. */
    public int removeAllOf(final int slot)
    {
        int removed = 0;
        final Int2IntHashMap.KeyIterator keys = owner.keySet().iterator();
        while (keys.hasNext())
        {
            final int shardId = keys.nextValue();
            if (owner.get(shardId) == slot)
            {
                keys.remove();
                lastForwardSeq.remove(shardId);
                emptySince.remove(shardId);
                removed++;
            }
        }
        return removed;
    }

    /** Forgets shards empty for at least {@code ttlNanos}; returns how many. */
    public int expire(final long nowNanos, final long ttlNanos)
    {
        int expired = 0;
        final Long2LongHashMap.KeyIterator keys = emptySince.keySet().iterator();
        while (keys.hasNext())
        {
            final long shardId = keys.nextValue();
            if (nowNanos - emptySince.get(shardId) >= ttlNanos)
            {
                keys.remove();
                owner.remove((int)shardId);
                lastForwardSeq.remove((int)shardId);
                expired++;
            }
        }
        return expired;
    }

    /** Shards owned by {@code slot}. */
    public int countOf(final int slot)
    {
        int count = 0;
        final Int2IntHashMap.ValueIterator values = owner.values().iterator();
        while (values.hasNext())
        {
            if (values.nextValue() == slot)
            {
                count++;
            }
        }
        return count;
    }
}
