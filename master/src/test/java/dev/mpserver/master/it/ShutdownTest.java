package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/** Stopping: graceful, fast, and the master dying; never an orphan. */
class ShutdownTest
{
    private static final long WAIT_MILLIS = 10_000;

    @Test
    void sigquitLetsConnectedClientsFinishThenEverythingExits() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--drain-timeout", "20s"))
        {
            final List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                clients.add(new TestClient(server.port()).join(i));
            }
            final List<Long> workers = server.workerPids();
            server.signal(Signals.SIGQUIT);
            assertTrue(eventually(WAIT_MILLIS, () -> workers.stream().allMatch(w -> server.logContains("worker " + w + ": QUIT, draining"))),
                "every worker drains");
            for (final TestClient client : clients)
            {
                client.send(TestClient.PING);
                client.expectPing(); // still served while draining
            }
            assertTrue(server.isAlive(), "waits for its clients");
            for (final TestClient client : clients)
            {
                client.close();
            }
            assertEquals(0, server.awaitExit(10, TimeUnit.SECONDS));
            assertTrue(server.survivingWorkers().isEmpty(), "no orphans of " + workers);
            for (final long worker : workers)
            {
                // A JVM that crashes writes hs_err_pid<pid>.log into its working directory, ours.
                assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of("hs_err_pid" + worker + ".log")),
                    "worker " + worker + " crashed on its way out");
            }
        }
    }

    @Test
    void sigtermStopsEveryProcessWithinTheGracePeriod() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--grace-period", "3s"))
        {
            final List<TestClient> clients = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                clients.add(new TestClient(server.port()).join(i));
            }
            server.workerPids();
            final long start = System.nanoTime();
            server.signal(Signals.SIGTERM);
            assertEquals(0, server.awaitExit(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4));
            assertTrue(server.survivingWorkers().isEmpty(), "no orphans");
            assertFalse(Files.exists(server.runDir().resolve(SharedShardTable.FILE_NAME)), "the shard table goes with the master");
            assertTrue(Files.exists(server.runDir().resolve(CountersFile.MASTER_FILE)), "the counters stay for stat");
            for (final TestClient client : clients)
            {
                assertEquals(ErrorCode.SHUTTING_DOWN.code(), client.expectError(), "told why, even in a fast stop");
                assertTrue(client.isClosedByServer());
                client.close();
            }
        }
    }

    @Test
    void workersExitWhenTheMasterIsKilled() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            try (TestClient client = new TestClient(server.port()))
            {
                client.join(1);
            }
            final List<Long> workers = server.workerPids();
            assertEquals(2, workers.size());
            Posix.process().kill(server.pid(), Signals.SIGKILL);
            server.awaitExit(5, TimeUnit.SECONDS);
            assertTrue(eventually(WAIT_MILLIS, () -> server.survivingWorkers().isEmpty()),
                "workers exit on channel EOF: " + server.survivingWorkers());
        }
    }
}
