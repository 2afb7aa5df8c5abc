package dev.mpserver.worker.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ClientTableTest
{
    @Test
    void shardListsCountAndIterateMembersAcrossJoinsAndLeaves()
    {
        final ClientTable table = new ClientTable(8);
        final int a = table.add(10, ClientTable.SERVING, 0);
        final int b = table.add(11, ClientTable.SERVING, 0);
        final int c = table.add(12, ClientTable.SERVING, 0);
        assertEquals(1, table.joinShard(a, 7));
        assertEquals(2, table.joinShard(b, 7));
        assertEquals(1, table.joinShard(c, 8));
        assertEquals(2, table.shardCount());
        assertEquals(Set.of(a, b), members(table, 7));

        assertEquals(1, table.leaveShard(a));
        assertEquals(Set.of(b), members(table, 7));
        table.remove(b);
        assertEquals(0, table.clientsOnShard(7));
        assertEquals(ClientTable.NONE, table.firstOfShard(7));
        assertEquals(1, table.shardCount());
    }

    @Test
    void busiestShardIsTheOneWithMostClients()
    {
        final ClientTable table = new ClientTable(8);
        assertEquals(dev.mpserver.protocol.wire.WireProtocol.NO_SHARD, table.busiestShard());
        table.joinShard(table.add(1, ClientTable.SERVING, 0), 3);
        table.joinShard(table.add(2, ClientTable.SERVING, 0), 9);
        table.joinShard(table.add(3, ClientTable.SERVING, 0), 9);
        assertEquals(9, table.busiestShard());
    }

    @Test
    void servingCountsOnlyClientsPastTheirFirstFrame()
    {
        final ClientTable table = new ClientTable(4);
        final int waiting = table.add(1, ClientTable.NEW, 0);
        final int handedIn = table.add(2, ClientTable.SERVING, 0);
        assertEquals(1, table.serving());
        table.state(waiting, ClientTable.SERVING);
        assertEquals(2, table.serving());
        table.remove(handedIn);
        table.remove(waiting);
        assertEquals(0, table.serving());
        assertEquals(0, table.size());
    }

    @Test
    void idleListOrdersByLastActivityAndSlotsAreReusedWithANewGeneration()
    {
        final ClientTable table = new ClientTable(3);
        final int a = table.add(1, ClientTable.SERVING, 100);
        final int b = table.add(2, ClientTable.SERVING, 200);
        final int c = table.add(3, ClientTable.SERVING, 300);
        assertTrue(table.isFull());
        assertEquals(a, table.leastRecentlyActive());
        table.touch(a, 400);
        assertEquals(b, table.leastRecentlyActive());
        final int generation = table.generation(b);
        table.remove(b);
        assertEquals(c, table.leastRecentlyActive());
        final int reused = table.add(4, ClientTable.NEW, 500);
        assertEquals(b, reused);
        assertEquals(generation + 1, table.generation(reused));
        assertEquals(c, table.leastRecentlyActive());
    }

    private static Set<Integer> members(final ClientTable table, final int shard)
    {
        final Set<Integer> slots = new HashSet<>();
        for (int s = table.firstOfShard(shard); s != ClientTable.NONE; s = table.nextOfShard(s))
        {
            slots.add(s);
        }
        return slots;
    }
}
