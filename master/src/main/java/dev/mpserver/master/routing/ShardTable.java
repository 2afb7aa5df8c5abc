package dev.mpserver.master.routing;

import java.util.Arrays;

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
 *
 * <p>Nothing here walks the table on the master's hot path or its tick: shards expire from a
 * time-ordered queue ({@link EmptyShardQueue}, O(expired) per tick, where a walk over every empty
 * shard held the loop a millisecond or more per tick with a few tens of thousands of shards, and
 * delayed every hand-off that arrived meanwhile: docs/benchmarks.md), and each slot's shard count
 * is kept as shards come and go.
 * Only forgetting a dead or draining worker's shards walks the table.
 */
public final class ShardTable
{
    public static final int NONE = -1;
    private static final long NOT_EMPTY = Long.MIN_VALUE;
    /** Entries of the empty-shard queue one expiry call takes at least (about 0.25 ms of work). */
    private static final int MIN_EXPIRY_PER_CALL = 512;
    /** ...or this share of the queue when that is more, so that expiry keeps up with any churn. */
    private static final int EXPIRY_SHARE_OF_QUEUE = 64;

    private final Int2IntHashMap owner = new Int2IntHashMap(NONE);
    private final Int2IntHashMap lastForwardSeq = new Int2IntHashMap(0);
    private final Long2LongHashMap emptySince = new Long2LongHashMap(NOT_EMPTY);
    private final EmptyShardQueue emptied = new EmptyShardQueue();
    private int[] shardsOfSlot = new int[16];

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
        final int previous = owner.put(shardId, slot);
        if (previous != NONE)
        {
            shardsOfSlot[previous]--;
        }
        if (slot >= shardsOfSlot.length)
        {
            shardsOfSlot = Arrays.copyOf(shardsOfSlot, Math.max(slot + 1, shardsOfSlot.length * 2));
        }
        shardsOfSlot[slot]++;
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
        emptied.add(shardId, nowNanos);
        return true;
    }

    public void remove(final int shardId)
    {
        final int slot = owner.remove(shardId);
        if (slot != NONE)
        {
            shardsOfSlot[slot]--;
        }
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
        if (slot < shardsOfSlot.length)
        {
            shardsOfSlot[slot] = 0;
        }
        return removed;
    }

    /**
     * Forgets shards empty for at least {@code ttlNanos}, a bounded number per call: after a burst
     * thousands come due in the same tick, and removing them all at once held the master's loop
     * for milliseconds; the rest follow on the next ticks (a TTL is a lower bound). The bound grows
     * with the queue, so that expiry keeps up with any rate of shards going empty.
     *
     * @return how many were forgotten
     */
    public int expire(final long nowNanos, final long ttlNanos)
    {
        final int budget = Math.max(MIN_EXPIRY_PER_CALL, emptied.size() / EXPIRY_SHARE_OF_QUEUE);
        int expired = 0;
        for (int taken = 0; taken < budget && !emptied.isEmpty() && nowNanos - emptied.headSinceNanos() >= ttlNanos; taken++)
        {
            final int shardId = emptied.headShard();
            final long since = emptied.headSinceNanos();
            emptied.removeHead();
            if (emptySince.get(shardId) == since) // else a client came since, or it went empty again later
            {
                remove(shardId);
                expired++;
            }
        }
        return expired;
    }

    /** Shards owned by {@code slot}. */
    public int countOf(final int slot)
    {
        return slot < shardsOfSlot.length ? shardsOfSlot[slot] : 0;
    }
}
