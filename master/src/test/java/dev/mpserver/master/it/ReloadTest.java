package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

class ReloadTest
{
    @Test
    void sighupStartsANewGenerationWhileTheOldOneFinishesItsClients() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--drain-timeout", "30s"))
        {
            final List<TestClient> longLived = new ArrayList<>();
            for (int shard = 0; shard < 10; shard++)
            {
                longLived.add(new TestClient(server.port()).join(shard));
            }
            final Set<Long> oldGeneration = new HashSet<>(server.workerPids());
            assertEquals(2, oldGeneration.size());

            server.signal(Signals.SIGHUP);
            assertTrue(eventually(20_000, () -> newWorkers(server, oldGeneration).size() == 2), "a new generation of 2 workers");

            for (final TestClient client : longLived)
            {
                client.send(TestClient.PING);
                client.expectPing(); // not cut by the reload
            }
            final Set<Long> newGeneration = newWorkers(server, oldGeneration);
            // Until the new generation is warm, the old one still takes new shards; then never again.
            assertTrue(eventually(20_000, () -> newGeneration.contains(servedBy(server, 99))), "the new generation takes over");
            for (int shard = 100; shard < 120; shard++)
            {
                try (TestClient fresh = new TestClient(server.port()))
                {
                    fresh.join(shard);
                    final long pid = fresh.identify()[0];
                    assertTrue(newGeneration.contains(pid), "new clients go to the new generation, got " + pid);
                }
            }
            for (final TestClient client : longLived)
            {
                client.close();
            }
            assertTrue(eventually(10_000, () -> server.workerPids().stream().noneMatch(oldGeneration::contains)),
                "the old generation exits once its clients are gone");
            assertEquals(newGeneration, new HashSet<>(server.workerPids()));
            assertTrue(server.isAlive());
            server.signal(Signals.SIGTERM);
            assertEquals(0, server.awaitExit(10, TimeUnit.SECONDS));
            assertFalse(server.survivingWorkers().stream().anyMatch(p -> true), "no orphans");
        }
    }

    /** The pid of the worker that serves a fresh client of {@code shard} (-1 if it could not be asked). */
    private static long servedBy(final ServerProcess server, final int shard)
    {
        try (TestClient client = new TestClient(server.port()))
        {
            client.join(shard);
            return client.identify()[0];
        }
        catch (final java.io.IOException ex)
        {
            return -1;
        }
    }

    private static Set<Long> newWorkers(final ServerProcess server, final Set<Long> old)
    {
        final Set<Long> fresh = new HashSet<>(server.workerPids());
        fresh.removeAll(old);
        return fresh;
    }
}
