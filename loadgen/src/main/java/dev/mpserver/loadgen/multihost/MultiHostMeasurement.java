package dev.mpserver.loadgen.multihost;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.bench.Stats;
import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;

/**
 * The multi-host benchmark, meant for {@code scripts/bench --only multihost}: the same open-loop
 * load (300 connections/s for 10 s, 10 messages each at 20/s per connection, random shards over
 * 1000, --verify) in three shapes, on namespaced hosts with 2 workers each:
 * <ol>
 *   <li>{@code haproxy}: through HAProxy to 2 hosts;</li>
 *   <li>{@code direct}: straight to 1 host (host 0 of the same cluster, over its veth), no balancer;</li>
 *   <li>{@code hostLoss}: as the first, with one host killed (SIGKILL, master and workers) 4 s in.</li>
 * </ol>
 * Each measured run follows an unmeasured 2 s warm-up of the same shape; each figure is the median
 * of the repeats, each repeat on a new cluster. What to read: route latency (C + first M written →
 * first reply) p50/p99/max, message p99 from the intended send time, lost clients (failed + shed),
 * split shards (0 except, in hostLoss, the lost host's shards moving to its backup), and in
 * hostLoss how long HAProxy took to mark the host down and how many of the lost clients never got
 * their first reply.
 */
public final class MultiHostMeasurement
{
    public static final int RATE = 300;
    public static final int SECONDS = 10;
    public static final int MESSAGES = 10;
    public static final double MESSAGE_RATE = 20;
    public static final int SHARDS = 1000;
    public static final int WORKERS_PER_HOST = 2;
    public static final long KILL_AFTER_MILLIS = 4000;
    private static final int WARM_UP_SECONDS = 2;
    private static final int LOST_HOST = 1;

    private final String mpserverClassPath;
    private final Path workDir;
    private final int repeat;

    /**
     * @param mpserverClassPath the hosts' class path ({@code master/target/lib/*}).
     * @param workDir           where the clusters' run directories and logs go.
     * @param repeat            repeats; each figure is their median.
     */
    public MultiHostMeasurement(final String mpserverClassPath, final Path workDir, final int repeat)
    {
        this.mpserverClassPath = mpserverClassPath;
        this.workDir = workDir;
        this.repeat = repeat;
    }

    /** One shape's figures, medians over the repeats. */
    public record Figures(String shape, double achievedRate, double routeP50Ms, double routeP99Ms, double routeMaxMs,
        double messageP99Ms, long lostClients, long lostInRoute, long splitShards, long downMillis)
    {
    }

    /** Runs the three shapes {@code repeat} times; keys of {@link #results} are "multihost.SHAPE.FIGURE". */
    public Map<String, Figures> run(final PrintStream progress) throws IOException, InterruptedException
    {
        final Report[][] reports = new Report[3][repeat];
        final long[] down = new long[repeat];
        for (int r = 0; r < repeat; r++)
        {
            progress.printf(Locale.ROOT, "multihost: repeat %d of %d%n", r + 1, repeat);
            try (MultiHostCluster cluster = MultiHostCluster.builder(mpserverClassPath, workDir).hosts(2)
                .workersPerHost(WORKERS_PER_HOST).start())
            {
                final String direct = cluster.server(0).address();
                final int directPort = cluster.server(0).port();
                load("127.0.0.1", cluster.port(), WARM_UP_SECONDS, r).call();
                reports[0][r] = load("127.0.0.1", cluster.port(), SECONDS, r).call();
                load(direct, directPort, WARM_UP_SECONDS, r).call();
                reports[1][r] = load(direct, directPort, SECONDS, r).call();
                final LoadGenRun lossRun = load("127.0.0.1", cluster.port(), SECONDS, r);
                final CompletableFuture<Report> loss = CompletableFuture.supplyAsync(() -> call(lossRun));
                Thread.sleep(KILL_AFTER_MILLIS);
                cluster.kill(LOST_HOST);
                down[r] = cluster.awaitHostStatus(LOST_HOST, MultiHostCluster.DOWN, 30_000);
                reports[2][r] = loss.join();
            }
        }
        final Map<String, Figures> figures = new LinkedHashMap<>();
        figures.put("haproxy", figures("through HAProxy to 2 hosts", reports[0], null));
        figures.put("direct", figures("1 host directly", reports[1], null));
        figures.put("hostLoss", figures("2 hosts, one lost at 4 s", reports[2], down));
        return figures;
    }

    /** The figures as flat keys and numbers, for a benchmark's JSON ("multihost.haproxy.routeP99Ms", ...). */
    public static Map<String, Object> results(final Map<String, Figures> figures)
    {
        final Map<String, Object> results = new LinkedHashMap<>();
        for (final Map.Entry<String, Figures> e : figures.entrySet())
        {
            final String key = "multihost." + e.getKey() + ".";
            final Figures f = e.getValue();
            results.put(key + "achievedConnsPerSec", Math.round(f.achievedRate()));
            results.put(key + "routeP50Ms", round(f.routeP50Ms()));
            results.put(key + "routeP99Ms", round(f.routeP99Ms()));
            results.put(key + "routeMaxMs", round(f.routeMaxMs()));
            results.put(key + "messageP99Ms", round(f.messageP99Ms()));
            results.put(key + "lostClients", f.lostClients());
            results.put(key + "lostInRoute", f.lostInRoute());
            results.put(key + "splitShards", f.splitShards());
            if (f.downMillis() >= 0)
            {
                results.put(key + "markedDownMs", f.downMillis());
            }
        }
        return results;
    }

    /** One table, in the style of scripts/bench. */
    public static void print(final Map<String, Figures> figures, final PrintStream out)
    {
        out.printf(Locale.ROOT, "multi-host, open loop %d conns/s x %d s, %d messages at %.0f/s per connection, random shards over %d, "
            + "%d workers per host (medians)%n", RATE, SECONDS, MESSAGES, MESSAGE_RATE, SHARDS, WORKERS_PER_HOST);
        out.printf(Locale.ROOT, "  %-28s %9s %9s %9s %9s %9s %6s %8s %6s %8s%n", "case", "conns/s", "route p50", "p99 ms", "max ms",
            "msg p99", "lost", "in route", "split", "down ms");
        for (final Figures f : figures.values())
        {
            out.printf(Locale.ROOT, "  %-28s %9.0f %9.2f %9.2f %9.2f %9.2f %6d %8d %6d %8s%n", f.shape(), f.achievedRate(), f.routeP50Ms(),
                f.routeP99Ms(), f.routeMaxMs(), f.messageP99Ms(), f.lostClients(), f.lostInRoute(), f.splitShards(),
                f.downMillis() < 0 ? "-" : Long.toString(f.downMillis()));
        }
    }

    private LoadGenRun load(final String host, final int port, final int seconds, final int repeatIndex)
    {
        return new LoadGenRun(LoadConfig.builder(port).host(host).allowRemote(true).conns((long)RATE * seconds).msgs(MESSAGES)
            .msgRate(MESSAGE_RATE).arrivals(ArrivalSchedule.constantRate(RATE)).shardIds(ShardIds.random()).shards(SHARDS)
            .seed(1000L * repeatIndex + seconds).verify(true).timeout(10, TimeUnit.SECONDS).duration(seconds + 60, TimeUnit.SECONDS)
            .build());
    }

    private static Report call(final LoadGenRun run)
    {
        try
        {
            return run.call();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static Figures figures(final String shape, final Report[] reports, final long[] down)
    {
        final int n = reports.length;
        final double[] rate = new double[n];
        final double[] p50 = new double[n];
        final double[] p99 = new double[n];
        final double[] max = new double[n];
        final double[] message = new double[n];
        final double[] lost = new double[n];
        final double[] inRoute = new double[n];
        final double[] split = new double[n];
        for (int i = 0; i < n; i++)
        {
            final Report report = reports[i];
            rate[i] = report.achievedConnRate();
            p50[i] = report.latency(Latency.ROUTE).p50Nanos() / 1e6;
            p99[i] = report.latency(Latency.ROUTE).p99Nanos() / 1e6;
            max[i] = report.latency(Latency.ROUTE).maxNanos() / 1e6;
            message[i] = report.latency(Latency.MESSAGE_FROM_INTENDED).p99Nanos() / 1e6;
            lost[i] = report.failed() + report.shed();
            inRoute[i] = report.failures(Phase.ROUTE) + report.shed(Phase.ROUTE);
            split[i] = null == report.verify() ? 0 : report.verify().splitShards();
        }
        return new Figures(shape, median(rate), median(p50), median(p99), median(max), median(message), Math.round(median(lost)),
            Math.round(median(inRoute)), Math.round(median(split)), null == down ? -1 : Math.round(median(toDoubles(down))));
    }

    private static double[] toDoubles(final long[] values)
    {
        final double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++)
        {
            doubles[i] = values[i];
        }
        return doubles;
    }

    private static double median(final double[] values)
    {
        return Stats.median(values);
    }

    private static double round(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }
}
