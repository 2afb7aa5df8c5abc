package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.FdBaseline;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/** The master routing real clients between real workers with real fd passing. */
class RoutingTest
{
    private static final int PING_REPLY = WireProtocol.PING_REPLY.length;

    @Test
    void everyClientOfAShardReachesTheSameWorker() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--max-clients", "3000"))
        {
            final Random random = new Random(42);
            final int clients = 2000;
            final int messages = 5;
            final List<TestClient> open = new ArrayList<>();
            final int[] shardOf = new int[clients];
            final Map<Integer, Set<Integer>> pidsOfShard = new HashMap<>();
            try
            {
                for (int i = 0; i < clients; i++)
                {
                    shardOf[i] = random.nextInt(500);
                    final TestClient client = new TestClient(server.port());
                    open.add(client);
                    client.send(TestClient.control(shardOf[i]), TestClient.PING, TestClient.PING, TestClient.PING,
                        TestClient.PING, TestClient.PING, new byte[] {WireProtocol.IDENTIFY});
                }
                for (int i = 0; i < clients; i++)
                {
                    final TestClient client = open.get(i);
                    for (int m = 0; m < messages; m++)
                    {
                        client.expectPing();
                    }
                    final int[] identity = client.readIdentifyReply();
                    assertEquals(shardOf[i], identity[2], "client " + i + " served as its own shard");
                    pidsOfShard.computeIfAbsent(shardOf[i], s -> new HashSet<>()).add(identity[0]);
                }
            }
            finally
            {
                for (final TestClient client : open)
                {
                    client.close();
                }
            }
            final Map<Integer, Integer> shardsPerWorker = new HashMap<>();
            for (final Map.Entry<Integer, Set<Integer>> shard : pidsOfShard.entrySet())
            {
                assertEquals(1, shard.getValue().size(), "shard " + shard.getKey() + " split over " + shard.getValue());
                shardsPerWorker.merge(shard.getValue().iterator().next(), 1, Integer::sum);
            }
            final Set<Integer> workers = shardsPerWorker.keySet();
            assertEquals(2, workers.size(), "both workers serve shards");
            for (final int shardCount : shardsPerWorker.values())
            {
                assertTrue(shardCount >= pidsOfShard.size() / 4, "new shards go to the least-loaded worker: " + shardsPerWorker);
            }
            assertTrue(server.workerPids().stream().allMatch(p -> workers.contains(p.intValue())));
        }
    }

    /**
     * A worker reads a new client's first bytes at once and never past {@code 'C' id}: a 'C' that
     * arrives a byte at a time is still routed with its stream intact, and a first frame that is
     * not 'C' (as short as the one byte of 'I', or a whole 'M') is served where it landed.
     */
    @Test
    void slowControlIsRoutedIntactAndUnroutedFirstFramesAreServedUnderAMaster() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            for (int shard = 1; shard <= 6; shard++)
            {
                try (TestClient client = new TestClient(server.port()))
                {
                    for (final byte b : TestClient.control(shard))
                    {
                        client.send(new byte[] {b});
                        Thread.sleep(20); // the scenario: a 'C' that arrives a byte at a time
                    }
                    client.send(TestClient.PING);
                    client.expectPing();
                    assertEquals(shard, client.identify()[2]);
                }
            }
            try (TestClient identifyFirst = new TestClient(server.port());
                TestClient pingFirst = new TestClient(server.port()))
            {
                assertEquals(WireProtocol.NO_SHARD, identifyFirst.identify()[2]);
                pingFirst.send(TestClient.PING, TestClient.PING);
                pingFirst.expectPing();
                pingFirst.expectPing();
                assertEquals(WireProtocol.NO_SHARD, pingFirst.identify()[2]);
            }
        }
    }

    @Test
    void spawnsWorkersOnDemandAndAnswersServerFullBeyondMaxWorkers() throws Exception
    {
        try (ServerProcess server = ServerProcess.start(
            "--workers", "1", "--worker-capacity", "50", "--max-workers", "4", "--max-spare", "8"))
        {
            final List<TestClient> open = new ArrayList<>();
            int served = 0;
            int full = 0;
            final Set<Integer> pids = new HashSet<>();
            try
            {
                for (int shard = 0; shard < 400; shard++)
                {
                    final TestClient client = new TestClient(server.port());
                    open.add(client);
                    client.send(TestClient.control(shard), TestClient.PING, new byte[] {WireProtocol.IDENTIFY});
                }
                for (final TestClient client : open)
                {
                    final byte[] first = client.readExactly(1);
                    if (first[0] == WireProtocol.ERROR)
                    {
                        assertEquals(ErrorCode.SERVER_FULL.code(), client.readExactly(1)[0], "surplus clients get E 2");
                        full++;
                    }
                    else
                    {
                        client.readExactly(PING_REPLY - 1);
                        pids.add(client.readIdentifyReply()[0]);
                        served++;
                    }
                }
            }
            finally
            {
                for (final TestClient client : open)
                {
                    client.close();
                }
            }
            assertEquals(400, served + full, "every client answered: served or told the server is full");
            assertTrue(full > 0, "beyond 4 workers x 50 the server is full");
            assertTrue(served >= 150, "about 4 x 50 served, got " + served);
            assertEquals(4, pids.size(), "workers were spawned up to --max-workers: " + pids);
        }
    }

    @Test
    void killNineOfAWorkerUnderLoadIsSurvivedAndItsShardsAreServedByTheReplacement() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final List<TestClient> open = new ArrayList<>();
            final Map<Integer, Integer> pidOfShard = new HashMap<>();
            try
            {
                for (int i = 0; i < 200; i++)
                {
                    final TestClient client = new TestClient(server.port()).join(i % 20);
                    open.add(client);
                    pidOfShard.put(i % 20, client.identify()[0]);
                }
                final List<Long> before = server.workerPids();
                assertEquals(2, before.size());
                final int victim = before.get(0).intValue();
                assertTrue(pidOfShard.containsValue(victim), "the victim serves some shards");
                dev.mpserver.protocol.posix.Posix.process().kill(victim, dev.mpserver.protocol.posix.Signals.SIGKILL);

                for (int i = 0; i < open.size(); i++)
                {
                    final int shard = i % 20;
                    if (pidOfShard.get(shard) != victim)
                    {
                        open.get(i).send(TestClient.PING);
                        open.get(i).expectPing(); // clients of the other worker are unaffected
                    }
                    else
                    {
                        assertTrue(open.get(i).isClosedByServer(), "clients of the killed worker are gone");
                    }
                }
                assertTrue(eventually(10_000, () -> server.workerPids().size() == 2 && !server.workerPids().contains((long)victim)),
                    "respawned: " + server.workerPids());
                assertTrue(server.isAlive());

                final Map<Integer, Integer> pidAfter = new HashMap<>();
                for (int i = 0; i < 100; i++)
                {
                    final TestClient client = new TestClient(server.port()).join(i % 20);
                    open.add(client);
                    final int pid = client.identify()[0];
                    assertFalse(pid == victim);
                    final Integer previous = pidAfter.putIfAbsent(i % 20, pid);
                    assertTrue(null == previous || previous == pid, "shard " + i % 20 + " still in one worker");
                    if (pidOfShard.get(i % 20) != victim)
                    {
                        assertEquals(pidOfShard.get(i % 20).intValue(), pid, "surviving shards stay where they were");
                    }
                }
            }
            finally
            {
                for (final TestClient client : open)
                {
                    client.close();
                }
            }
        }
    }

    /**
     * Whether a wave of hand-offs overflows an RT queue of 8 depends on how the master's wake-ups
     * fall against the workers' sendmsg calls (a busy master polls with O_ASYNC off), so waves
     * come until one does, at most four; every client of every wave must be routed.
     */
    @Test
    void signalStormWithSigpending8OverflowsAndStillRoutesEveryClient() throws Exception
    {
        // --placement master: every client of a new shard crosses the master, a hand-off (and a channel signal) each.
        final ServerProcess server = ServerProcess.start("--workers", "2", "--max-clients", "3000", "--sigpending", "8",
            "--placement", "master");
        final Random random = new Random(7);
        int waves = 0;
        try
        {
            do
            {
                waves++;
                final List<TestClient> open = new ArrayList<>();
                try
                {
                    for (int i = 0; i < 2000; i++)
                    {
                        final TestClient client = new TestClient(server.port());
                        open.add(client);
                        client.send(TestClient.control(random.nextInt(100_000)), TestClient.PING);
                    }
                    for (final TestClient client : open)
                    {
                        client.expectPing();
                    }
                }
                finally
                {
                    for (final TestClient client : open)
                    {
                        client.close();
                    }
                }
            }
            while (waves < 4 && overflows(server) == 0);
        }
        finally
        {
            server.close();
        }
        // The master keeps its counters file after it exits: read the storm from it, as 'mpserver stat' does.
        try (CountersFileReader master = CountersFileReader.open(server.runDir().resolve(CountersFile.MASTER_FILE)))
        {
            final long overflows = master.value(MasterCounter.OVERFLOWS.typeId());
            final long rescans = master.value(MasterCounter.RESCANS.typeId());
            assertTrue(overflows > 0, "the RT queue overflowed in " + waves + " waves: " + overflows);
            // Several overflow SIGIOs taken in one wake-up are answered by one rescan.
            assertTrue(rescans >= 1 && rescans <= overflows, "overflows " + overflows + " answered by rescans " + rescans);
            assertEquals(2000L * waves, master.value(MasterCounter.RETIRED_TYPE_ID_BASE + WorkerCounter.MESSAGES.ordinal()),
                "the exited workers' totals count every message");
        }
    }

    private static long overflows(final ServerProcess server)
    {
        try (CountersFileReader master = CountersFileReader.open(server.runDir().resolve(CountersFile.MASTER_FILE)))
        {
            return null == master ? 0 : master.value(MasterCounter.OVERFLOWS.typeId());
        }
    }

    @Test
    void fdsReturnToBaselineAfterTenThousandRoutedClients() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-ttl", "100ms"))
        {
            final Random random = new Random(3);
            routeBatch(server, random, 200);
            final FdBaseline baseline = FdBaseline.take(server);
            for (int batch = 0; batch < 20; batch++)
            {
                routeBatch(server, random, 500);
            }
            baseline.assertRestored(server, 5000);
        }
    }

    private static void routeBatch(final ServerProcess server, final Random random, final int clients) throws IOException
    {
        final List<TestClient> open = new ArrayList<>();
        try
        {
            for (int i = 0; i < clients; i++)
            {
                final TestClient client = new TestClient(server.port());
                open.add(client);
                client.send(TestClient.control(random.nextInt(1000)), TestClient.PING);
            }
            for (final TestClient client : open)
            {
                client.expectPing();
            }
        }
        finally
        {
            for (final TestClient client : open)
            {
                client.close();
            }
        }
    }

}
