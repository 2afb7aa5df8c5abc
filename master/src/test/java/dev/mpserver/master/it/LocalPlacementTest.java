package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.JobControl;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/**
 * {@code --placement local} (the default): a worker takes a shard nobody serves, or an empty one,
 * for the client that landed on it, through the shard table every process maps; only a client of
 * a shard with clients in another worker crosses the master. Real processes, real clients.
 */
class LocalPlacementTest
{
    @Test
    void newShardsAreTakenWhereTheirClientLandsAndOnlyTheRestCrossTheMaster() throws Exception
    {
        final int clients = 300;
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final Map<Integer, Integer> shardsOfPid = new HashMap<>();
            for (int shard = 0; shard < clients; shard++)
            {
                try (TestClient client = new TestClient(server.port()).join(shard))
                {
                    client.send(TestClient.PING);
                    client.expectPing();
                    final int[] identity = client.identify();
                    assertEquals(shard, identity[2]);
                    shardsOfPid.merge(identity[0], 1, Integer::sum);
                }
            }
            assertTrue(eventually(3000, () -> crossedOrTaken(server) == clients),
                "every client crossed the master or was taken where it landed: " + server.counters());
            final RunDirCounters counters = server.counters();
            assertTrue(counters.total(WorkerCounter.SHARDS_CLAIMED) >= clients / 2,
                "most new shards never met the master: " + counters.total(WorkerCounter.SHARDS_CLAIMED) + " of " + clients);
            // One client at a time: each accepting worker goes to the back of the listener's queue, so the next lands on the other.
            assertEquals(2, shardsOfPid.size(), "both workers took shards: " + shardsOfPid);
            assertTrue(shardsOfPid.values().stream().allMatch(n -> n >= clients / 4), "shared out: " + shardsOfPid);
        }
    }

    @Test
    void firstClientsOfTheSameNewShardsLandingOnBothWorkersAtOnceNeverSplitAShard() throws Exception
    {
        final int shards = 40;
        final int perShard = 25;
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--max-clients", "3000"))
        {
            final Random random = new Random(7);
            for (int round = 0; round < 3; round++)
            {
                final List<Integer> order = new ArrayList<>();
                for (int i = 0; i < shards * perShard; i++)
                {
                    order.add(round * 1000 + i % shards);
                }
                Collections.shuffle(order, random);
                final Map<Integer, Set<Integer>> pidsOfShard = new HashMap<>();
                final List<TestClient> open = new ArrayList<>();
                try
                {
                    for (final int shard : order)
                    {
                        open.add(new TestClient(server.port())
                            .send(TestClient.control(shard), TestClient.PING, new byte[] {WireProtocol.IDENTIFY}));
                    }
                    for (int i = 0; i < open.size(); i++)
                    {
                        open.get(i).expectPing();
                        final int[] identity = open.get(i).readIdentifyReply();
                        assertEquals((int)order.get(i), identity[2]);
                        pidsOfShard.computeIfAbsent(identity[2], s -> new HashSet<>()).add(identity[0]);
                    }
                }
                finally
                {
                    for (final TestClient client : open)
                    {
                        client.close();
                    }
                }
                assertEquals(shards, pidsOfShard.size());
                for (final Map.Entry<Integer, Set<Integer>> shard : pidsOfShard.entrySet())
                {
                    assertEquals(1, shard.getValue().size(), "round " + round + ": shard " + shard.getKey() + " split over " +
                        shard.getValue());
                }
            }
            assertTrue(server.counters().total(WorkerCounter.SHARDS_CLAIMED) > 0, "workers took shards themselves");
        }
    }

    /**
     * With its owner stopped (SIGSTOP), a client lands on the other worker: of a shard whose
     * clients are all gone (the master saw it empty), it is taken over and served there at once;
     * of a shard with a client in the stopped owner, it crosses the master to that owner and is
     * served when the owner runs again: never split.
     */
    @Test
    void anEmptyShardIsTakenOverButAShardWithClientsIsOnlyEverServedByItsOwner() throws Exception
    {
        final int empty = 77;
        final int busy = 78;
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-ttl", "60s");
            SharedShardTable table = SharedShardTable.open(server.runDir().resolve(SharedShardTable.FILE_NAME)))
        {
            final int owner;
            try (TestClient first = new TestClient(server.port()).join(empty))
            {
                owner = first.identify()[0];
            }
            assertTrue(eventually(3000, () -> SharedShardTable.isEmpty(table.find(empty))), "the master saw shard " + empty + " empty");
            JobControl.stop(owner);
            try
            {
                try (TestClient takenOver = new TestClient(server.port()).join(empty))
                {
                    final int taker = takenOver.identify()[0];
                    assertTrue(taker != owner, "served by the running worker");
                    assertEquals(taker, pidOfSlot(server, table.owner(empty)), "the shard is the taker's now");
                }
            }
            finally
            {
                JobControl.resume(owner);
            }
            assertEquals(1, server.counters().total(WorkerCounter.SHARDS_TAKEN_OVER));

            try (TestClient stays = new TestClient(server.port()).join(busy))
            {
                final int busyOwner = stays.identify()[0];
                final long crossed = server.counters().master(MasterCounter.HANDOFFS_IN);
                JobControl.stop(busyOwner);
                try (TestClient waits = new TestClient(server.port()).send(TestClient.control(busy), TestClient.PING))
                {
                    try
                    {
                        assertTrue(waits.isSilentFor(300), "its shard's owner is stopped: the client waits for it");
                        assertTrue(eventually(3000, () -> server.counters().master(MasterCounter.HANDOFFS_IN) > crossed),
                            "it crossed the master");
                    }
                    finally
                    {
                        JobControl.resume(busyOwner);
                    }
                    waits.expectPing();
                    final int[] identity = waits.identify();
                    assertEquals(busyOwner, identity[0], "served by the shard's owner");
                    assertEquals(2, identity[3], "with the shard's other client");
                }
            }
        }
    }

    @Test
    void withPlacementMasterEveryNewShardCrossesTheMaster() throws Exception
    {
        final int clients = 60;
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--placement", "master"))
        {
            for (int shard = 0; shard < clients; shard++)
            {
                try (TestClient client = new TestClient(server.port()).join(shard))
                {
                    assertEquals(shard, client.identify()[2]);
                }
            }
            assertTrue(eventually(3000, () -> server.counters().master(MasterCounter.HANDOFFS_IN) == clients),
                "every client crossed the master: " + server.counters());
            assertEquals(0, server.counters().total(WorkerCounter.SHARDS_CLAIMED));
        }
    }

    private static long crossedOrTaken(final ServerProcess server)
    {
        try
        {
            final RunDirCounters counters = server.counters();
            return counters.master(MasterCounter.HANDOFFS_IN) + counters.total(WorkerCounter.SHARDS_CLAIMED);
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    private static int pidOfSlot(final ServerProcess server, final int slot)
    {
        for (final RunDirCounters.Process worker : server.counters().workers())
        {
            if (worker.slot() == slot && worker.alive())
            {
                return worker.pid();
            }
        }
        return -1;
    }
}
