package dev.mpserver.worker.client;

import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.collections.Int2IntHashMap;

/**
 * The clients of each shard here: one intrusive doubly linked list per shard, threaded through
 * primitive arrays indexed by client slot, and each shard's count, so that joining, leaving and
 * walking a shard (a broadcast) allocate nothing.
 *
 * <pre>
 *   head[7] → slot c ⇄ slot d ⇄ …        count[7] = clients of shard 7 here
 *   shard[slot]: the shard a client is in, or NO_SHARD
 * </pre>
 */
final class ShardLists
{
    private final int[] shard;
    private final int[] prev;
    private final int[] next;
    private final Int2IntHashMap head = new Int2IntHashMap(ClientTable.NONE);
    private final Int2IntHashMap count = new Int2IntHashMap(0);

    ShardLists(final int capacity)
    {
        shard = new int[capacity];
        prev = new int[capacity];
        next = new int[capacity];
    }

    /** A new client in {@code slot}: in no shard yet. */
    void reset(final int slot)
    {
        shard[slot] = WireProtocol.NO_SHARD;
        prev[slot] = ClientTable.NONE;
        next[slot] = ClientTable.NONE;
    }

    int shard(final int slot)
    {
        return shard[slot];
    }

    /** Puts the client at the head of {@code shardId}'s list, which it must not be in; returns the shard's new count. */
    int join(final int slot, final int shardId)
    {
        shard[slot] = shardId;
        final int first = head.get(shardId);
        prev[slot] = ClientTable.NONE;
        next[slot] = first;
        if (first != ClientTable.NONE)
        {
            prev[first] = slot;
        }
        head.put(shardId, slot);
        final int clients = count.get(shardId) + 1;
        count.put(shardId, clients);
        return clients;
    }

    /** @return the shard's remaining count, or -1 if the client was in no shard */
    int leave(final int slot)
    {
        final int shardId = shard[slot];
        if (WireProtocol.NO_SHARD == shardId)
        {
            return -1;
        }
        final int before = prev[slot];
        final int after = next[slot];
        if (before != ClientTable.NONE)
        {
            next[before] = after;
        }
        else if (after != ClientTable.NONE)
        {
            head.put(shardId, after);
        }
        else
        {
            head.remove(shardId);
        }
        if (after != ClientTable.NONE)
        {
            prev[after] = before;
        }
        reset(slot);
        final int clients = count.get(shardId) - 1;
        if (clients <= 0)
        {
            count.remove(shardId);
            return 0;
        }
        count.put(shardId, clients);
        return clients;
    }

    int clients(final int shardId)
    {
        return count.get(shardId);
    }

    /** @return shards with clients here. */
    int shards()
    {
        return count.size();
    }

    /** @return the shard with the most clients here, or {@link WireProtocol#NO_SHARD}; the map's iterator is reused. */
    int busiest()
    {
        int busiest = WireProtocol.NO_SHARD;
        int most = 0;
        final Int2IntHashMap.EntryIterator entries = count.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            if (entries.getIntValue() > most)
            {
                most = entries.getIntValue();
                busiest = entries.getIntKey();
            }
        }
        return busiest;
    }

    int first(final int shardId)
    {
        return head.get(shardId);
    }

    int next(final int slot)
    {
        return next[slot];
    }
}
