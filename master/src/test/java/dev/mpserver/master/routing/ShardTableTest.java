package dev.mpserver.master.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShardTableTest
{
    private static final long TTL = 10_000;

    private final ShardTable table = new ShardTable();

    @Test
    void anEmptyShardIsForgottenAfterTheTtlUnlessAClientCameMeanwhile()
    {
        table.assign(1, 0);
        table.assign(2, 0);
        table.forwarded(1, 5);
        table.forwarded(2, 6);
        assertTrue(table.gone(1, 0, 5, 1_000));
        assertTrue(table.gone(2, 0, 6, 1_000));
        table.forwarded(2, 7); // a new client of shard 2 before the TTL
        assertEquals(0, table.expire(1_000 + TTL - 1, TTL), "not yet");
        assertEquals(1, table.expire(1_000 + TTL, TTL));
        assertEquals(ShardTable.NONE, table.owner(1));
        assertEquals(0, table.owner(2), "shard 2 has a client again");
        assertEquals(1, table.countOf(0));
    }

    @Test
    void aShardThatWentEmptyTwiceExpiresFromItsLastTime()
    {
        table.assign(3, 1);
        table.forwarded(3, 1);
        assertTrue(table.gone(3, 1, 1, 100));
        table.forwarded(3, 2);
        assertTrue(table.gone(3, 1, 2, 5_000));
        assertEquals(0, table.expire(100 + TTL, TTL), "the first time is stale");
        assertEquals(1, table.expire(5_000 + TTL, TTL));
        assertEquals(0, table.countOf(1));
    }

    @Test
    void aStaleShardGoneIsIgnored()
    {
        table.assign(4, 0);
        table.forwarded(4, 9);
        assertFalse(table.gone(4, 0, 8, 100), "written before the worker read the hand-off of seq 9");
        assertFalse(table.gone(4, 1, 9, 100), "not the owner");
        assertEquals(0, table.expire(100 + TTL, TTL));
    }

    @Test
    void eachSlotsCountFollowsAssignmentsMovesAndRemovals()
    {
        for (int shard = 0; shard < 100; shard++)
        {
            table.assign(shard, shard % 3);
        }
        assertEquals(34, table.countOf(0));
        table.assign(0, 2); // moved
        assertEquals(33, table.countOf(0));
        assertEquals(34, table.countOf(2));
        table.remove(1);
        assertEquals(32, table.countOf(1));
        assertEquals(32, table.removeAllOf(1));
        assertEquals(0, table.countOf(1));
        assertEquals(67, table.size());
        assertEquals(0, table.countOf(40), "a slot never seen");
    }
}
