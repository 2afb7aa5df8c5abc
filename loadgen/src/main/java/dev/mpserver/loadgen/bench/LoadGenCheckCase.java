package dev.mpserver.loadgen.bench;

import java.util.Locale;

/**
 * Is loadgen, as users run it, fast enough to measure a server? {@code scripts/loadgen run} in a
 * fresh JVM against the C server, next to the C client against the same server, 5 000 clients x 10
 * messages, in turns: the ratio of their messages/s (issue 16: ≥ 0.9). A fresh JVM runs loadgen's
 * code cold, which the in-process runs of the other cases never do.
 */
final class LoadGenCheckCase implements BenchCase
{
    static final int CONNS = 5000;
    static final int MSGS = 10;
    static final double TARGET = 0.9;

    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        ctx.out.println();
        final ServerShape cServer = ctx.cServer();
        if (null == cServer || null == ctx.peers.client())
        {
            ctx.out.println("loadgen check skipped: it needs the C server and the C client (see the start of the output)");
            ctx.results.skipped("loadgen: C server or C client not built");
            return;
        }
        final BenchClient c = new EpollClient(ctx.peers.client());
        final LoadGenCommand loadgen = new LoadGenCommand(ctx.repo, ctx.workDir);
        final Figures f = new Figures(ctx.repeat);
        final ClientLoad load = ClientLoad.burst(ctx.scaled(CONNS), MSGS);
        for (int r = 0; r < ctx.repeat; r++)
        {
            try (ServerUnderTest server = cServer.start())
            {
                final double[] wall = new double[1];
                ClientResult fresh = null;
                ClientResult independent = null;
                for (int turn = 0; turn < 2; turn++)
                {
                    if ((turn + r) % 2 == 0)
                    {
                        fresh = loadgen.run(server.port(), load.withSeed(1 + r), wall);
                    }
                    else
                    {
                        independent = c.run(server.port(), load.withSeed(1 + r));
                    }
                }
                f.set("loadgen.msgsPerSec", r, fresh.msgsPerSec());
                f.set("loadgen.wallSeconds", r, wall[0]);
                f.set("loadgen.msgsPerWallSecond", r, fresh.replies / wall[0]);
                f.set("loadgen.notOk", r, fresh.notOk());
                f.set("c.msgsPerSec", r, independent.msgsPerSec());
                f.set("c.notOk", r, independent.notOk());
                f.set("ratio", r, fresh.msgsPerSec() / independent.msgsPerSec());
            }
        }
        final double ratio = f.median("ratio");
        ctx.out.printf(Locale.ROOT, "loadgen check: scripts/loadgen run (fresh JVM) vs the C client, same C server, %d x %d, in turns:%n",
            load.conns, MSGS);
        ctx.out.printf(Locale.ROOT, "  loadgen %s msgs/s (its own clock; %.2f s wall with JVM start, %s msgs per wall second), C client %s msgs/s;"
            + " not ok %.0f / %.0f%n", Stats.whole(f.median("loadgen.msgsPerSec")), f.median("loadgen.wallSeconds"),
            Stats.whole(f.median("loadgen.msgsPerWallSecond")), Stats.whole(f.median("c.msgsPerSec")), f.sum("loadgen.notOk"),
            f.sum("c.notOk"));
        ctx.out.printf(Locale.ROOT, "  loadgen / C = %.2f [%s] (target >= %.1f: %s)%n", ratio, Stats.list(f.values("ratio")), TARGET,
            ratio >= TARGET ? "met" : "NOT met");
        f.publish(ctx.results, "loadgenCheck");
    }
}
