package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Test;

/**
 * A real server's processes grow their fd tables before clients come (the kernel reports a table's
 * size as FDSize in /proc/PID/status; a JVM's starts at a few hundred): the workers to what
 * {@code --max-clients} needs, the master to a channel and a full hand-off queue per worker slot.
 * Grown under load instead, each doubling stalls the process for an RCU grace period.
 */
class FdTableReservationTest
{
    private static final int MAX_CLIENTS = 3000;
    private static final int MAX_WORKERS = 2;
    private static final int HANDOFF_QUEUE = 1024;

    @Test
    void masterAndWorkersHaveTheirTablesBeforeTheFirstClient() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--max-workers", Integer.toString(MAX_WORKERS),
            "--max-clients", Integer.toString(MAX_CLIENTS), "--handoff-queue", Integer.toString(HANDOFF_QUEUE)))
        {
            // Two slots per worker (a reload's new generation beside the old one), each a channel and a queue.
            final long masterNeeds = 2L * MAX_WORKERS * (HANDOFF_QUEUE + 2);
            assertTrue(fdTableSize(server.pid()) >= masterNeeds, "master FDSize " + fdTableSize(server.pid()) + ", needs " + masterNeeds);
            final long workerNeeds = WorkerConfig.fdsNeeded(MAX_CLIENTS);
            // A worker grows its table on a background thread after READY.
            assertTrue(eventually(10_000, () -> server.workerPids().size() == 2
                    && server.workerPids().stream().allMatch(pid -> fdTableSize(pid) >= workerNeeds)),
                "worker FDSizes " + server.workerPids().stream().map(FdTableReservationTest::fdTableSize).toList() + ", need " + workerNeeds);
        }
    }

    private static int fdTableSize(final long pid)
    {
        return Posix.fdTableSize(Long.toString(pid));
    }
}
