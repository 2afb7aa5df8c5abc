package dev.mpserver.loadgen.bench;

import java.util.Locale;

import dev.mpserver.protocol.counters.MasterCounter;

/** The master alone, fed by synthetic workers that stream HANDOFFs with dup'ed fds: hand-offs/s. */
final class MasterOnlyCase implements BenchCase
{
    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final Figures f = new Figures(ctx.repeat);
        for (int r = 0; r < ctx.repeat; r++)
        {
            // Synthetic workers hold no clients: the master's per-worker load count only grows, and
            // must not make it spawn more JVMs in the middle of the measurement.
            try (ServerUnderTest server = ctx.mpserver("master only", "--workers", "2", "--max-workers", "2",
                "--worker-capacity", "1000000000", "--worker-class", "dev.mpserver.master.bench.SyntheticWorker").start())
            {
                Thread.sleep(1000);
                final long before = server.counters().master(MasterCounter.HANDOFFS_ROUTED);
                final long start = System.nanoTime();
                Thread.sleep(5000);
                final long after = server.counters().master(MasterCounter.HANDOFFS_ROUTED);
                f.set("handoffsPerSec", r, (after - before) / ((System.nanoTime() - start) / 1e9));
            }
        }
        ctx.out.println();
        ctx.out.printf(Locale.ROOT, "master only (2 synthetic workers, dup'ed fds, 10 000 shards): %.0f hand-offs/s%n", f.median("handoffsPerSec"));
        f.publish(ctx.results, "masterOnly");
    }
}
