package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/**
 * A worker that replaces a dead one while another is warm takes nothing from the shared listener
 * until its own warm-up is done (issue 16: the replacement's cold code had put the first clients'
 * route p99 at 2-7x warm), and serves as any other once it is.
 */
class RespawnTest
{
    /** Enough synthetic clients that the warm-up runs to its time bound (3 s), not to its count. */
    private static final String LONG_WARM_UP = "1000000";
    private static final int CLIENTS_WHILE_WARMING = 40;

    @Test
    void aReplacementAcceptsNothingUntilItIsWarm() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--warm-up", LONG_WARM_UP))
        {
            final List<Long> before = server.workerPids();
            assertEquals(2, before.size());
            final long killed = before.get(0);
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            assertTrue(eventually(10_000, () -> replacement(server, before) > 0), "a replacement is spawned");
            final long replacement = replacement(server, before);

            for (int shard = 0; shard < CLIENTS_WHILE_WARMING; shard++)
            {
                try (TestClient client = new TestClient(server.port()))
                {
                    client.join(shard).send(TestClient.PING).expectPing();
                    assertEquals(before.get(1).intValue(), client.identify()[0], "the warm survivor serves shard " + shard);
                }
            }
            final long acceptedWhileWarming = accepts(server, replacement);
            assertTrue(acceptedWhileWarming >= 0, "the counters are readable");
            assumeFalse(isWarm(server, replacement), "the replacement became warm before the clients were done: inconclusive");
            assertEquals(0, acceptedWhileWarming, "the replacement accepted none of the clients while warming up");

            assertTrue(eventually(10_000, () -> isWarm(server, replacement)), "the replacement warms up within its bound");
            final int[] shard = {1000};
            assertTrue(eventually(10_000, () -> servedBy(server, shard[0]++) > 0 && accepts(server, replacement) > 0),
                "once warm, the replacement accepts from the shared listener");
            assertTrue(server.isAlive());
        }
    }

    private static long replacement(final ServerProcess server, final List<Long> before)
    {
        final Set<Long> now = new HashSet<>(server.workerPids());
        now.removeAll(before);
        return now.isEmpty() ? -1 : now.iterator().next();
    }

    private static boolean isWarm(final ServerProcess server, final long pid)
    {
        try
        {
            return server.log().lines().anyMatch(line -> line.contains("worker " + pid + " (slot")
                && (line.contains(") warm in") || line.contains("taken as warm")));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** The ACCEPTS counter of worker {@code pid}, 0 if it has no counters yet, -1 if they could not be read. */
    private static long accepts(final ServerProcess server, final long pid)
    {
        final RunDirCounters counters;
        try
        {
            counters = server.counters();
        }
        catch (final java.io.UncheckedIOException ex)
        {
            return -1;
        }
        for (final RunDirCounters.Process worker : counters.workers())
        {
            if (worker.pid() == pid)
            {
                return worker.value(WorkerCounter.ACCEPTS);
            }
        }
        return 0;
    }

    private static long servedBy(final ServerProcess server, final int shard)
    {
        try (TestClient client = new TestClient(server.port()))
        {
            client.join(shard);
            return client.identify()[0];
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }
}
