package dev.mpserver.master.routing;

import static dev.mpserver.protocol.shard.SharedShardTable.FREE_ENTRY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.mpserver.protocol.shard.SharedShardTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardTableTest
{
    private static final long TTL = 10_000;
    private static final int SLOTS = 4;

    @TempDir
    Path dir;
    private SharedShardTable shared;
    private ShardTable table;

    @BeforeEach
    void create()
    {
        shared = SharedShardTable.create(dir.resolve(SharedShardTable.FILE_NAME), 1 << 8, SLOTS, 100, true);
        table = new ShardTable(shared);
    }

    @AfterEach
    void close()
    {
        shared.close();
    }

    /** Places as the master does, and returns the gen a worker would report. */
    private int place(final int shard, final int slot)
    {
        assertNotEquals(FREE_ENTRY, table.place(shard, slot));
        return SharedShardTable.genOf(table.entry(shard));
    }

    @Test
    void anEmptyShardIsForgottenAfterTheTtlUnlessAClientCameMeanwhile()
    {
        final int gen1 = place(1, 0);
        final int gen2 = place(2, 0);
        table.forwarded(1, 0, 5);
        table.forwarded(2, 0, 6);
        assertTrue(table.gone(1, 0, 5, gen1, 1_000));
        assertTrue(table.gone(2, 0, 6, gen2, 1_000));
        assertTrue(SharedShardTable.isEmpty(table.entry(1)), "other workers may take it over now");
        assertTrue(table.activate(2, table.entry(2)), "the master forwards a new client of shard 2");
        table.forwarded(2, 0, 7);
        assertEquals(0, table.expire(1_000 + TTL - 1, TTL), "not yet");
        assertEquals(1, table.expire(1_000 + TTL, TTL));
        assertEquals(ShardTable.NONE, table.owner(1));
        assertEquals(0, table.owner(2), "shard 2 has a client again");
        assertEquals(1, table.countOf(0));
    }

    @Test
    void aShardThatWentEmptyTwiceExpiresFromItsLastTime()
    {
        final int gen = place(3, 1);
        table.forwarded(3, 1, 1);
        assertTrue(table.gone(3, 1, 1, gen, 100));
        assertTrue(table.activate(3, table.entry(3)));
        table.forwarded(3, 1, 2);
        assertTrue(table.gone(3, 1, 2, SharedShardTable.genOf(table.entry(3)), 5_000));
        assertEquals(0, table.expire(100 + TTL, TTL), "the first time is stale");
        assertEquals(1, table.expire(5_000 + TTL, TTL));
        assertEquals(0, table.countOf(1));
    }

    @Test
    void aStaleShardGoneIsIgnored()
    {
        final int gen = place(4, 0);
        table.forwarded(4, 0, 9);
        assertFalse(table.gone(4, 0, 8, gen, 100), "written before the worker read the hand-off of seq 9");
        assertFalse(table.gone(4, 1, 9, gen, 100), "not the owner");
        assertFalse(table.gone(4, 0, 9, gen + 1, 100), "not the entry's gen");
        assertEquals(0, table.expire(100 + TTL, TTL));
    }

    @Test
    void aWorkerThatTakesItsShardAgainMakesItsEarlierShardGoneStale()
    {
        final int gen = place(5, 2);
        final long entry = table.entry(5);
        assertTrue(shared.compareAndSet(5, entry, SharedShardTable.taken(entry, 2)), "a new client landed on the owner");
        assertFalse(table.gone(5, 2, 0, gen, 100), "written while the shard was empty there, read after");
        assertEquals(2, table.owner(5));
    }

    @Test
    void aShardTakenOverWhileEmptyIsNotExpiredFromUnderItsNewOwner()
    {
        final int gen = place(6, 0);
        assertTrue(table.gone(6, 0, 0, gen, 100));
        final long empty = table.entry(6);
        assertTrue(shared.compareAndSet(6, empty, SharedShardTable.taken(empty, 1)), "worker 1 takes it over");
        assertEquals(0, table.expire(100 + TTL, TTL));
        assertEquals(1, table.owner(6));
        assertEquals(0, table.countOf(0));
        assertEquals(1, table.countOf(1));
    }

    @Test
    void eachSlotsCountFollowsPlacementsMovesAndRemovals()
    {
        for (int shard = 0; shard < 100; shard++)
        {
            place(shard, shard % 3);
        }
        assertEquals(34, table.countOf(0));
        final long zero = table.entry(0);
        assertTrue(shared.compareAndSet(0, zero, SharedShardTable.taken(zero, 2))); // moved
        assertEquals(33, table.countOf(0));
        assertEquals(34, table.countOf(2));
        assertTrue(table.remove(1, table.entry(1)));
        assertEquals(32, table.countOf(1));
        assertEquals(32, table.removeAllOf(1, true));
        assertEquals(0, table.countOf(1));
        assertEquals(67, table.size());
        assertEquals(0, table.countOf(3), "a slot that owns nothing");
    }
}
