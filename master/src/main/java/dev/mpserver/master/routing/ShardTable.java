package dev.mpserver.master.routing;

import static dev.mpserver.protocol.shard.SharedShardTable.FREE_ENTRY;

import dev.mpserver.protocol.shard.SharedShardTable;
import org.agrona.collections.Long2LongHashMap;

/**
 * The master's side of shard ownership. Who owns a shard is decided in the {@link SharedShardTable}
 * that the master and every worker map: a worker takes a shard nobody serves, or its own empty
 * one, itself; the master places the rest and forwards hand-offs to the owner the shared table
 * names. What only the master knows lives here: the last client it forwarded per shard (so that a
 * SHARD_GONE written before that client arrived is stale) and when each empty shard is forgotten.
 *
 * <p>A worker says SHARD_GONE when its last client of a shard leaves, with the seq of the last
 * master frame it had read and the entry's gen at that moment. The report is current if the entry
 * is still that owner's, of that gen, and the master forwarded no client of the shard to it after
 * that seq; then the entry becomes EMPTY (another worker may take it over) and is freed after the
 * TTL unless somebody takes it first (its gen changes, and the freeing compare-and-set fails).
 *
 * <p>Nothing here walks the table on the master's hot path or its tick: shards expire from a
 * time-ordered queue ({@link EmptyShardQueue}, O(expired) per tick, where a walk over every empty
 * shard held the loop a millisecond or more per tick with a few tens of thousands of shards, and
 * delayed every hand-off that arrived meanwhile: docs/benchmarks.md). Only forgetting a dead or
 * draining worker's shards walks the table.
 */
public final class ShardTable
{
    public static final int NONE = SharedShardTable.NONE;
    private static final long NOT_EMPTY = Long.MIN_VALUE;
    private static final long NO_FORWARD = Long.MIN_VALUE;
    /** Entries of the empty-shard queue one expiry call takes at least (about 0.25 ms of work). */
    private static final int MIN_EXPIRY_PER_CALL = 512;
    /** ...or this share of the queue when that is more, so that expiry keeps up with any churn. */
    private static final int EXPIRY_SHARE_OF_QUEUE = 64;

    private final SharedShardTable shared;
    /** shard → (slot << 32 | seq) of the last client forwarded. */
    private final Long2LongHashMap lastForward = new Long2LongHashMap(NO_FORWARD);
    private final Long2LongHashMap emptySince = new Long2LongHashMap(NOT_EMPTY);
    /** shard → its EMPTY entry word, which expiry frees if it is still that. */
    private final Long2LongHashMap emptyEntry = new Long2LongHashMap(FREE_ENTRY);
    private final EmptyShardQueue emptied = new EmptyShardQueue();

    public ShardTable(final SharedShardTable shared)
    {
        this.shared = shared;
    }

    public SharedShardTable shared()
    {
        return shared;
    }

    /** @return the shard's entry word, or {@link SharedShardTable#FREE_ENTRY} */
    public long entry(final int shardId)
    {
        return shared.find(shardId);
    }

    public int owner(final int shardId)
    {
        return shared.owner(shardId);
    }

    /**
     * Places a shard without an entry on {@code slot}.
     *
     * @return the entry made, or {@link SharedShardTable#FREE_ENTRY} if none was: another process
     *         made one first, or the shard's set is full of shards with clients
     */
    public long place(final int shardId, final int slot)
    {
        return shared.insertByMaster(shardId, slot);
    }

    /** An EMPTY entry gets a client again from the master: ACTIVE, same owner. @return false if it changed */
    public boolean activate(final int shardId, final long entry)
    {
        return shared.compareAndSet(shardId, entry, SharedShardTable.taken(entry, SharedShardTable.ownerOf(entry)));
    }

    /** A client of the shard went to {@code slot} in the frame numbered {@code seq}. */
    public void forwarded(final int shardId, final int slot, final int seq)
    {
        lastForward.put(shardId, ((long)slot << 32) | (seq & 0xFFFF_FFFFL));
        emptySince.remove(shardId);
    }

    /** @return true if the report was current and the shard is now empty. */
    public boolean gone(final int shardId, final int slot, final int seenSeq, final int gen, final long nowNanos)
    {
        final long entry = shared.find(shardId);
        if (entry == FREE_ENTRY || SharedShardTable.ownerOf(entry) != slot || SharedShardTable.isEmpty(entry) ||
            SharedShardTable.genOf(entry) != gen)
        {
            return false;
        }
        final long last = lastForward.get(shardId);
        if (last != NO_FORWARD && (int)(last >>> 32) == slot && seenSeq - (int)last < 0)
        {
            return false; // a client we forwarded after the report is there, or on its way
        }
        final long empty = SharedShardTable.emptied(entry);
        if (!shared.compareAndSet(shardId, entry, empty))
        {
            return false;
        }
        emptyEntry.put(shardId, empty);
        emptySince.put(shardId, nowNanos);
        emptied.add(shardId, nowNanos);
        return true;
    }

    /** Frees the shard's entry if it is still {@code entry}. */
    public boolean remove(final int shardId, final long entry)
    {
        forget(shardId);
        return shared.compareAndSet(shardId, entry, FREE_ENTRY);
    }

    private void forget(final int shardId)
    {
        lastForward.remove(shardId);
        emptySince.remove(shardId);
        emptyEntry.remove(shardId);
    }

    /**
     * Forgets every shard of a worker that died or is draining; returns how many.
     *
     * @param gone the worker is dead: a set lock it held is freed too
     */
    public int removeAllOf(final int slot, final boolean gone)
    {
        final Long2LongHashMap.KeyIterator keys = lastForward.keySet().iterator();
        while (keys.hasNext())
        {
            if ((int)(lastForward.get(keys.nextValue()) >>> 32) == slot)
            {
                keys.remove();
            }
        }
        if (gone)
        {
            shared.clearSlot(slot);
        }
        return shared.removeAllOf(slot, gone);
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
                // Fails if a worker took the shard meanwhile: then it is that worker's, with a new gen.
                if (remove(shardId, emptyEntry.get(shardId)))
                {
                    expired++;
                }
            }
        }
        return expired;
    }

    /** Shards owned by {@code slot}. */
    public int countOf(final int slot)
    {
        return shared.shardsOf(slot);
    }

    /** Shards with an owner, all slots. */
    public int size()
    {
        int total = 0;
        for (int slot = 0; slot < shared.slots(); slot++)
        {
            total += shared.shardsOf(slot);
        }
        return total;
    }
}
