package dev.mpserver.loadgen.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Closed loop, N clients x 10 messages all connecting at once, warm: messages/s, connections/s,
 * connections/s until 90 % done and route p99 of single-process, routed, not routed mpserver and
 * the C server, under both clients. The shapes take turns within each repeat and every ratio is the
 * median of the ratios of one repeat, so that the minutes-long drift of a shared machine falls on
 * both sides of a ratio instead of between them. Within a sample the clients take turns too, on the
 * same server.
 */
final class ThroughputCase implements BenchCase
{
    /**
     * Messages of unmeasured warm-up before each closed-loop measurement (five 5000 x 10 runs).
     * Measured per run on one server (CPU ticks of both workers, 5000 x 10, random shards): 280,
     * 258, 132, 153, 108 -- the routed path (hand-off, channel, master) is more code for the JIT
     * than serving where accepted (198, 91, 123, 108, 99); after three runs the master's and the
     * workers' C2 compilers still took up to 4 % of the machine in a measured run (perf).
     */
    static final int WARM_UP_MESSAGES = 250_000;
    /**
     * Closed-loop runs per client that make one measured sample (their replies over their summed
     * elapsed time): one 5000 x 10 run lasts about a second, and single ones of identical shape
     * differed by 10-15 % on this machine.
     */
    static final int RUNS_PER_SAMPLE = 3;
    static final int MSGS = 10;
    private static final int[] SIZES = {1000, 5000};

    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        ctx.out.println();
        ctx.out.println("throughput: closed loop, N clients x " + MSGS + " messages, all connecting at once, warm (shapes take turns; a "
            + "sample = " + RUNS_PER_SAMPLE + " runs per client after " + ctx.scaled(WARM_UP_MESSAGES) / 1000 + " k messages of warm-up; medians of "
            + ctx.repeat + "; 'not ok' summed over repeats)");
        ctx.out.printf(Locale.ROOT, "  %-24s %-8s %6s %10s %9s %11s %13s %8s%n", "server", "client", "N", "msgs/s", "conns/s",
            "conns/s90", "route p99 ms", "not ok");
        for (final int size : SIZES)
        {
            final int n = ctx.scaled(size);
            final Map<String, Figures> rows = new LinkedHashMap<>();
            final List<Shape> shapes = new ArrayList<>(List.of(
                new Shape(ctx.mpserver("single-process", "--workers", "0", "--max-clients", maxClients(n)), true),
                new Shape(ctx.mpserver("routed (2 workers)", "--workers", "2", "--max-clients", maxClients(n)), true),
                new Shape(ctx.mpserver("not routed (2 workers)", "--workers", "2", "--max-clients", maxClients(n)), false)));
            if (null != ctx.cServer())
            {
                shapes.add(new Shape(ctx.cServer(), true));
            }
            for (final Shape shape : shapes)
            {
                for (final BenchClient client : ctx.clients())
                {
                    rows.put(shape.server.name + "|" + client.name(), new Figures(ctx.repeat));
                }
            }
            for (int r = 0; r < ctx.repeat; r++)
            {
                for (final Shape shape : shapes)
                {
                    measure(ctx, shape, n, r, rows);
                }
            }
            for (final Shape shape : shapes)
            {
                for (final BenchClient client : ctx.clients())
                {
                    final Figures row = rows.get(shape.server.name + "|" + client.name());
                    ctx.out.printf(Locale.ROOT, "  %-24s %-8s %6d %10s %9s %11s %13s %8.0f%n", shape.server.name, client.name(), n,
                        Stats.whole(row.median("msgsPerSec")), Stats.whole(row.median("connsPerSec")),
                        Stats.whole(row.median("connsPerSec90")), Stats.ms(row.median("routeP99Ms")),
                        row.sum("notOk"));
                    row.publish(ctx.results, "throughput." + shape.server.key() + "." + Stats.key(client.name()) + ".N" + n);
                }
            }
            for (final BenchClient client : ctx.clients())
            {
                ratios(ctx, shapes, rows, client, n);
            }
            agreement(ctx, shapes, rows, n);
        }
    }

    /** One server shape and whether its clients send 'C' (random shards) or not. */
    private static final class Shape
    {
        final ServerShape server;
        final boolean routed;

        Shape(final ServerShape server, final boolean routed)
        {
            this.server = server;
            this.routed = routed;
        }
    }

    private static void measure(final BenchContext ctx, final Shape shape, final int n, final int r, final Map<String, Figures> rows)
        throws Exception
    {
        final ClientLoad load = shape.routed ? ClientLoad.burst(n, MSGS) : ClientLoad.burst(n, MSGS).notRouted();
        try (ServerUnderTest server = shape.server.start())
        {
            // Unmeasured runs of the same shape first: the servers are JVMs (and loadgen too), and a
            // server in production is warm.
            final BenchClient warmUp = ctx.warmUpClient();
            for (int w = 0; w < Math.max(1, ctx.scaled(WARM_UP_MESSAGES) / (n * MSGS)); w++)
            {
                warmUp.run(server.port(), load.withSeed(100 + r * 10 + w));
            }
            final Map<String, double[]> sums = new LinkedHashMap<>(); // client → replies, ok, seconds
            final Map<String, double[]> p99 = new LinkedHashMap<>();
            final Map<String, double[]> until90 = new LinkedHashMap<>();
            for (int run = 0; run < RUNS_PER_SAMPLE; run++)
            {
                for (final BenchClient client : ctx.clientsInTurn(r + run))
                {
                    final ClientResult result = client.run(server.port(), load.withSeed(1 + r * RUNS_PER_SAMPLE + run));
                    final double[] sum = sums.computeIfAbsent(client.name(), c -> new double[3]);
                    sum[0] += result.replies;
                    sum[1] += result.ok;
                    sum[2] += result.elapsedSeconds;
                    p99.computeIfAbsent(client.name(), c -> new double[RUNS_PER_SAMPLE])[run] = result.routeP99Ms;
                    until90.computeIfAbsent(client.name(), c -> new double[RUNS_PER_SAMPLE])[run] = result.connsPerSec90;
                    rows.get(shape.server.name + "|" + client.name()).add("notOk", r, result.notOk());
                }
            }
            for (final Map.Entry<String, double[]> e : sums.entrySet())
            {
                final Figures f = rows.get(shape.server.name + "|" + e.getKey());
                f.set("msgsPerSec", r, e.getValue()[0] / e.getValue()[2]);
                f.set("connsPerSec", r, e.getValue()[1] / e.getValue()[2]);
                f.set("connsPerSec90", r, Stats.median(until90.get(e.getKey())));
                f.set("routeP99Ms", r, Stats.median(p99.get(e.getKey())));
            }
        }
    }

    /** routed / not routed, routed / single-process, single-process / C server: msgs/s, per repeat, then the median. */
    private static void ratios(final BenchContext ctx, final List<Shape> shapes, final Map<String, Figures> rows, final BenchClient client,
        final int n)
    {
        final String c = client.name();
        final double[] single = rows.get(shapes.get(0).server.name + "|" + c).values("msgsPerSec");
        final double[] routed = rows.get(shapes.get(1).server.name + "|" + c).values("msgsPerSec");
        final double[] local = rows.get(shapes.get(2).server.name + "|" + c).values("msgsPerSec");
        final StringBuilder line = new StringBuilder();
        line.append(ratio(ctx, "routed / not routed", "ratio.routedOverNotRouted.N" + n + "." + Stats.key(c), routed, local));
        line.append(", ").append(ratio(ctx, "routed / single-process", "ratio.routedOverSingle.N" + n + "." + Stats.key(c), routed, single));
        if (shapes.size() > 3)
        {
            final double[] cServer = rows.get(shapes.get(3).server.name + "|" + c).values("msgsPerSec");
            line.append(", ").append(ratio(ctx, "single-process / C server", "ratio.singleOverC.N" + n + "." + Stats.key(c), single, cServer));
        }
        ctx.out.printf(Locale.ROOT, "  N=%d, %s client (msgs/s, median of per-repeat ratios [per repeat]): %s%n", n, c, line);
    }

    private static String ratio(final BenchContext ctx, final String name, final String key, final double[] numerators,
        final double[] denominators)
    {
        final double[] perRepeat = Stats.perRepeat(numerators, denominators);
        final double median = Stats.median(perRepeat);
        ctx.results.put(key, median, perRepeat);
        return String.format(Locale.ROOT, "%s %.2f [%s]", name, median, Stats.list(perRepeat));
    }

    /** loadgen / C client on the same server in the same repeat: whether loadgen holds a figure down. */
    private static void agreement(final BenchContext ctx, final List<Shape> shapes, final Map<String, Figures> rows, final int n)
    {
        if (ctx.clients().size() < 2)
        {
            return;
        }
        final StringBuilder line = new StringBuilder();
        for (final Shape shape : shapes)
        {
            final double[] perRepeat = Stats.perRepeat(
                rows.get(shape.server.name + "|" + LoadGenClient.NAME).values("msgsPerSec"),
                rows.get(shape.server.name + "|" + EpollClient.NAME).values("msgsPerSec"));
            final double median = Stats.median(perRepeat);
            ctx.results.put("ratio.loadgenOverC.N" + n + "." + shape.server.key(), median, perRepeat);
            line.append(line.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", shape.server.name, median));
        }
        ctx.out.printf(Locale.ROOT, "  N=%d, loadgen / C client on the same server (msgs/s): %s%n", n, line);
    }

    /** Room for every client of the burst (issue 12: the default of 1 000 per worker refuses a burst). */
    static String maxClients(final int n)
    {
        return Integer.toString(Math.max(1000, n + 100));
    }
}
