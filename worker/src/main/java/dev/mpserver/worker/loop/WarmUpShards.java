package dev.mpserver.worker.loop;

import dev.mpserver.protocol.shard.SharedShardTable;

/**
 * Which shard each of a {@link WarmUp}'s clients names, and the private shard table's entries
 * that make those shards what they are. The two paths a live worker's clients take most are
 * each taken by three in eight: a new shard, which the worker inserts (nearly every client under
 * random shard ids), and another worker's busy shard, handed off and back (RTMP players of a
 * stream published elsewhere; every client under {@code --placement master}). Each path a
 * client can take ({@code ShardRouter}) runs at least 125 times in the default 1 000 clients,
 * the two main ones 375: C1 compiles a method after a few hundred calls, and a path the warm-up
 * runs fewer times is compiled under the first real clients instead (measured, docs/benchmarks.md,
 * seventh session: {@code SharedShardTable.insert} and the shard-leaving path, and with 250
 * hand-offs in 1 000 clients the hand-off path).
 *
 * <pre>
 *   client % 8   shard                                          ShardRouter's path      per 1 000
 *   0, 1, 2      a new one (no entry)                           insert                  375
 *   3, 4, 5      another worker's, with clients (BUSY_SHARDS)    hand-off, and back      375
 *   6            another worker's, empty                        take-over (CAS)         125
 *   7            this worker's, empty (client 0's)              take back (CAS)         125
 * </pre>
 *
 * A round is eight clients. New shards stop being new after {@link #MOST_NEW_SHARDS} (a long
 * {@code --warm-up} names them again, as this worker's: taken back), and at most
 * {@link #MOST_EMPTIED} are given away empty, so the table never fills.
 */
final class WarmUpShards
{
    /** Room for 7 168 entries: the table holds at most 1 600 (busy, emptied, new), so no set of 7 fills. */
    static final int SETS = 1 << 10;
    private static final int CLIENTS_PER_ROUND = 8;
    private static final int NEW_PER_ROUND = 3;
    /** Another worker's shards with clients: named again and again, each time handed off and back. */
    private static final int BUSY_SHARDS = 64;
    private static final int MOST_EMPTIED = 512;
    private static final int MOST_NEW_SHARDS = 1_024;
    private static final int EMPTIED_BASE = BUSY_SHARDS;
    private static final int NEW_BASE = EMPTIED_BASE + MOST_EMPTIED;

    private WarmUpShards()
    {
    }

    /**
     * Makes the table as a master would for {@code clients}: {@code ownSlot} may take new shards
     * (without the master's rights a worker takes none, and every new shard went to the master:
     * the warm-up had warmed only the hand-off since rights came in), {@code otherSlot} has the
     * busy shards and the empty ones to be taken over.
     */
    static void prepare(final SharedShardTable shards, final int ownSlot, final int otherSlot, final int clients)
    {
        shards.grantRights(ownSlot, true);
        for (int shardId = 0; shardId < BUSY_SHARDS; shardId++)
        {
            shards.insert(shardId, otherSlot);
        }
        final int emptied = Math.min(MOST_EMPTIED, clients / CLIENTS_PER_ROUND + 1);
        for (int shardId = EMPTIED_BASE; shardId < EMPTIED_BASE + emptied; shardId++)
        {
            final long entry = shards.insert(shardId, otherSlot);
            shards.compareAndSet(shardId, entry, SharedShardTable.emptied(entry));
        }
    }

    /** The shard the warm-up's client number {@code client} names (see the table above). */
    static int of(final int client)
    {
        final int round = client / CLIENTS_PER_ROUND;
        final int place = client % CLIENTS_PER_ROUND;
        if (place < NEW_PER_ROUND)
        {
            return newShard(NEW_PER_ROUND * round + place);
        }
        if (place < 2 * NEW_PER_ROUND)
        {
            return (NEW_PER_ROUND * round + place - NEW_PER_ROUND) % BUSY_SHARDS;
        }
        return place == 2 * NEW_PER_ROUND ? EMPTIED_BASE + round % MOST_EMPTIED : newShard(NEW_PER_ROUND * round);
    }

    private static int newShard(final int n)
    {
        return NEW_BASE + n % MOST_NEW_SHARDS;
    }
}
