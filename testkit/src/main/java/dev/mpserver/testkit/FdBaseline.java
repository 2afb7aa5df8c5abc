package dev.mpserver.testkit;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.mpserver.protocol.posix.Posix;

/**
 * Open-fd counts of the master and of each worker at a quiet moment, to hold a fault against:
 * once its clients are gone, every process must be back at (or below) what it held before, and
 * the workers must be the same processes (a fault that killed one would hide its fds).
 */
public final class FdBaseline
{
    private static final long SETTLE_MILLIS = 5_000;
    private static final long QUIET_MILLIS = 200;

    private final int master;
    private final Map<Long, Integer> workers;

    private FdBaseline(final int master, final Map<Long, Integer> workers)
    {
        this.master = master;
        this.workers = workers;
    }

    /** Waits until no count moves for a moment (JVMs open jars and logs lazily), then records them. */
    public static FdBaseline take(final ServerProcess server) throws InterruptedException
    {
        final Map<Long, Integer> workers = new LinkedHashMap<>(
            Eventually.settled("fd counts before the fault", QUIET_MILLIS, SETTLE_MILLIS, () -> counts(server)));
        final int master = workers.remove((long)server.pid());
        return new FdBaseline(master, workers);
    }

    /** Every process back to its baseline within {@code timeoutMillis}, and no worker replaced. */
    public void assertRestored(final ServerProcess server, final long timeoutMillis) throws InterruptedException
    {
        assertTrue(server.isAlive(), "the master survived");
        assertEquals(workers.keySet(), new HashSet<>(server.workerPids()), "the same workers, none died or was replaced");
        assertTrue(eventually(timeoutMillis, () -> server.fdCount() <= master),
            "master fds back to " + master + ", now " + server.fdCount());
        for (final Map.Entry<Long, Integer> worker : workers.entrySet())
        {
            final long pid = worker.getKey();
            assertTrue(eventually(timeoutMillis, () -> Posix.openFdCount(pid) <= worker.getValue()),
                "worker " + pid + " fds back to " + worker.getValue() + ", now " + Posix.openFdCount(pid));
        }
    }

    public int master()
    {
        return master;
    }

    public int worker(final long pid)
    {
        return workers.get(pid);
    }

    @Override
    public String toString()
    {
        return "master " + master + " workers " + workers;
    }

    private static Map<Long, Integer> counts(final ServerProcess server)
    {
        final Map<Long, Integer> counts = new LinkedHashMap<>();
        counts.put((long)server.pid(), server.fdCount());
        final List<Long> pids = server.workerPids();
        for (final long pid : pids)
        {
            counts.put(pid, Posix.openFdCount(pid));
        }
        return counts;
    }
}
