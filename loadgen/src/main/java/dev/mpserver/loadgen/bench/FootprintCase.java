package dev.mpserver.loadgen.bench;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;

/**
 * Spawn-to-READY as the master measured it, twice: the first worker (started while the master
 * JVM itself is still starting) and a respawn after kill -9 (the master idle, as when it spawns
 * for a burst). Resident memory right after start and at rest (6 s: the JVM returns its
 * compilers' start-up arenas after ~5 s).
 */
final class FootprintCase implements BenchCase
{
    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final Figures f = new Figures(ctx.repeat);
        for (int r = 0; r < ctx.repeat; r++)
        {
            // No standby: one worker's RSS and its respawn (with a standby, a kill is a promotion and no
            // worker starts); a standby, on defaults, adds one idle worker's RSS.
            try (ServerUnderTest server = ctx.mpserver("footprint", "--workers", "1", "--standby", "0").start())
            {
                Thread.sleep(1000);
                f.set("spawnToReadyMs", r, server.counters().master(MasterCounter.LAST_SPAWN_TO_READY_MS));
                f.set("rss.idleWorkerAt1sMiB", r, workerRssMiB(server));
                Thread.sleep(5000);
                f.set("rss.masterMiB", r, ServerUnderTest.rssKib(server.pid()) / 1024.0);
                f.set("rss.idleWorkerMiB", r, workerRssMiB(server));
                f.set("respawnToReadyMs", r, respawnToReadyMs(server));
            }
        }
        ctx.out.println();
        ctx.out.printf(Locale.ROOT, "worker spawn to READY: first %.0f ms, respawn %.0f ms; RSS: master %.1f MiB, idle worker %.1f MiB at 1 s, "
            + "%.1f MiB at rest%n", f.median("spawnToReadyMs"), f.median("respawnToReadyMs"), f.median("rss.masterMiB"),
            f.median("rss.idleWorkerAt1sMiB"), f.median("rss.idleWorkerMiB"));
        f.publish(ctx.results, "footprint");
    }

    private static double workerRssMiB(final ServerUnderTest server)
    {
        return server.workerPids().isEmpty() ? -1 : ServerUnderTest.rssKib(server.workerPids().get(0)) / 1024.0;
    }

    /** kill -9 of the worker (by pid), then the master's spawn-to-READY of its replacement; -1 if none within 10 s. */
    private static double respawnToReadyMs(final ServerUnderTest server) throws Exception
    {
        final List<Long> workers = server.workerPids();
        if (workers.isEmpty())
        {
            return -1;
        }
        final RunDirCounters before = server.counters();
        final long spawnsBefore = before.master(MasterCounter.SPAWNS);
        final long readyBefore = before.master(MasterCounter.LAST_SPAWN_TO_READY_MS);
        ProcessHandle.of(workers.get(0)).ifPresent(ProcessHandle::destroyForcibly);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            final RunDirCounters counters = server.counters();
            // READY of the replacement is the only thing that changes the figure (equal by chance: wait out the deadline).
            if (counters.master(MasterCounter.SPAWNS) > spawnsBefore && counters.master(MasterCounter.LAST_SPAWN_TO_READY_MS) != readyBefore)
            {
                return counters.master(MasterCounter.LAST_SPAWN_TO_READY_MS);
            }
        }
        return -1;
    }
}
