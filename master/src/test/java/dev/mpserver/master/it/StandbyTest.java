package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.testkit.JobControl;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/**
 * A standby with real processes, on defaults ({@code --workers 2} and no {@code --standby}: one
 * standby; {@code --standby-delay 1s} for a shorter test): it starts a second after the pool is
 * warm, warms up, and takes no client until a worker dies; then it serves at once, warm, in the
 * dead worker's place, and a new standby starts behind it a second later.
 */
class StandbyTest
{
    private static final Pattern SPAWNED_STANDBY = Pattern.compile("spawned standby (\\d+) in slot");
    private static final int CLIENTS = 40;

    @Test
    void aStandbyServesNobodyUntilAWorkerDiesThenTakesItsPlaceWarmAndAnotherStandsBy() throws Exception
    {
        try (ServerProcess server = ServerProcess.startOnDefaults("--workers", "2", "--standby-delay", "1s"))
        {
            assertTrue(eventually(20_000, () -> standbys(server).size() == 1), "a standby starts a second after the pool is warm");
            final long standby = standbys(server).get(0);
            assertTrue(eventually(20_000, () -> isWarm(server, standby)), "the standby warms up");
            assertEquals(1, server.counters().master(MasterCounter.STANDBYS));

            final List<Long> servedBy = serveClients(server);
            assertFalse(servedBy.contains(standby), "no client meets the standby: " + servedBy);
            assertEquals(0, server.workerCounter(standby, WorkerCounter.ACCEPTS), "it took nothing from the listener");
            assertEquals(1, server.workerCounter(standby, WorkerCounter.STANDING_BY), "its counters say it stands by");

            final long killed = servedBy.get(0);
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            assertTrue(eventually(10_000, () -> server.logContains("standby " + standby + " (slot")
                && server.logContains(") promoted")), "the standby takes the dead worker's place");
            assertFalse(server.logContains("accepts once warm"), "it was warm when promoted");
            assertEquals(1, server.counters().master(MasterCounter.PROMOTIONS));
            assertTrue(eventually(2_000, () -> 0 == server.workerCounter(standby, WorkerCounter.STANDING_BY)), "and no more once promoted");
            // The other worker stopped: a client can only be the promoted one's.
            final long survivor = server.workerPids().stream().filter(pid -> pid != killed && pid != standby).findFirst().orElseThrow();
            JobControl.stop(survivor);
            try (TestClient client = new TestClient(server.port()))
            {
                client.join(1000).send(TestClient.PING).expectPing();
                assertEquals(standby, client.identify()[0], "the promoted standby accepts and serves");
            }
            finally
            {
                JobControl.resume(survivor);
            }

            assertTrue(eventually(15_000, () -> standbys(server).size() == 2), "a new standby starts behind it, a second later");
            final long next = standbys(server).get(1);
            assertTrue(eventually(20_000, () -> isWarm(server, next)), "and warms up");
            final List<Long> after = serveClients(server);
            assertFalse(after.contains(killed));
            assertFalse(after.contains(next), "the new standby serves nobody either: " + after);
            assertEquals(0, server.workerCounter(next, WorkerCounter.ACCEPTS));
            assertEquals(4, server.counters().master(MasterCounter.SPAWNS), "two workers, a standby, then one more: no cold replacement");
            assertTrue(server.isAlive());
        }
    }

    /**
     * {@code --workers 1 --max-workers 2}: one worker and its standby are the two processes. The
     * worker is full ({@code --max-clients 2}) and returns a new shard's client: the standby takes
     * that shard, promoted, and no third worker starts beyond {@code --max-workers}.
     */
    @Test
    void aNewShardTheFullWorkerReturnsGoesToTheStandbyAndNoProcessStartsBeyondMaxWorkers() throws Exception
    {
        try (ServerProcess server = ServerProcess.startOnDefaults(
            "--workers", "1", "--max-workers", "2", "--max-clients", "2", "--worker-capacity", "1000", "--standby-delay", "1s"))
        {
            assertTrue(eventually(20_000, () -> standbys(server).size() == 1), "one standby by default");
            final long standby = standbys(server).get(0);
            assertTrue(eventually(20_000, () -> isWarm(server, standby)), "the standby warms up");
            try (TestClient a1 = new TestClient(server.port()).join(1);
                TestClient a2 = new TestClient(server.port()).join(2))
            {
                final int worker = a1.identify()[0];
                assertEquals(worker, a2.identify()[0], "both shards on the one worker, which is now full");
                try (TestClient third = new TestClient(server.port()).join(3))
                {
                    third.send(TestClient.PING).expectPing();
                    assertEquals(standby, third.identify()[0], "the new shard went to the standby");
                    assertEquals(1, server.counters().master(MasterCounter.PROMOTIONS));
                    assertTrue(server.logHasLine("standby " + standby + " (slot", ") promoted for a new shard"));
                }
                assertEquals(2, server.counters().master(MasterCounter.SPAWNS), "the worker and the standby: no third process");
                assertEquals(2, server.workerPids().size());
            }
            assertTrue(server.isAlive());
        }
    }

    /** {@link #CLIENTS} clients of as many shards, each served one ping: @return the worker pid of each. */
    private static List<Long> serveClients(final ServerProcess server) throws IOException
    {
        final List<Long> servedBy = new ArrayList<>();
        for (int shard = 0; shard < CLIENTS; shard++)
        {
            try (TestClient client = new TestClient(server.port()))
            {
                client.join(100 + shard).send(TestClient.PING).expectPing();
                servedBy.add((long)client.identify()[0]);
            }
        }
        return servedBy;
    }

    /** The standbys the master started, in order, from its log. */
    private static List<Long> standbys(final ServerProcess server)
    {
        final List<Long> pids = new ArrayList<>();
        try
        {
            final Matcher spawned = SPAWNED_STANDBY.matcher(server.log());
            while (spawned.find())
            {
                pids.add(Long.parseLong(spawned.group(1)));
            }
        }
        catch (final IOException ex)
        {
            return List.of();
        }
        return pids;
    }

    private static boolean isWarm(final ServerProcess server, final long pid)
    {
        return server.logHasLine("worker " + pid + " (slot", ") warm in");
    }
}
