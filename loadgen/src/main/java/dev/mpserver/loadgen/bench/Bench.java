package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/bench}: the benchmark suite, side by side in one run so that ratios are
 * measured under the same machine noise. Every case starts its own server on 127.0.0.1 and stops
 * it by pid; every load is bounded in count and time. Each figure is the median of --repeat runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, description =
    "Runs the mpserver benchmarks side by side and prints one table (and --json): single-process vs routed "
        + "(random shards, nearly every client crosses the master) vs not routed (no 'C': served where accepted) "
        + "for N=1000 and N=5000 clients x 10 messages, and single-process vs the C epoll reference "
        + "(scripts/reference/epoll_server.c, compiled with cc if there is one); open-loop route latency at 1000 and 3000 conns/s; the "
        + "master's own hand-off rate with synthetic workers; worker spawn-to-READY; RSS of master and idle worker; "
        + "loadgen's own ceiling. Each measured run follows unmeasured warm-up runs of the same shape on the same server. "
        + "Bounded: about 5 minutes with the default --repeat 3.")
public final class Bench implements Callable<Integer>
{
    @Option(names = "--repo", defaultValue = ".", description = "Repository root (where master/target/lib is).")
    Path repo;

    @Option(names = "--repeat", defaultValue = "3", description = "Runs per case; the median is reported (default ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON.")
    Path json;

    @Option(names = "--only", split = ",", paramLabel = "CASE", description =
        "Run only these cases (comma-separated): ${COMPLETION-CANDIDATES}. Default: all but rtmp (live RTMP with 64 ffmpeg "
            + "processes, minutes; run it with --only rtmp).")
    EnumSet<Case> only = EnumSet.complementOf(EnumSet.of(Case.rtmp));

    /** The cases of the suite, in the order they run. */
    enum Case
    {
        throughput, latency, master, footprint, ceiling, rtmp
    }

    /**
     * Messages of unmeasured warm-up before each closed-loop measurement (five 5000 x 10 runs).
     * Measured per run on one server (CPU ticks of both workers, 5000 x 10, random shards): 280,
     * 258, 132, 153, 108 -- the routed path (hand-off, channel, master) is more code for the JIT
     * than serving where accepted (198, 91, 123, 108, 99); after three runs the master's and the
     * workers' C2 compilers still took up to 4 % of the machine in a measured run (perf).
     */
    private static final int WARM_UP_MESSAGES = 250_000;

    /**
     * Closed-loop runs that make one measured sample (their replies over their summed elapsed
     * time): one 5000 x 10 run lasts about a second, and single ones of identical shape differed
     * by 10-15 % on this machine.
     */
    private static final int RUNS_PER_SAMPLE = 3;

    private final Map<String, Object> results = new LinkedHashMap<>();
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        if (repeat < 1 || repeat > 9)
        {
            throw new CommandLine.ParameterException(new CommandLine(this), "--repeat must be 1..9");
        }
        out.printf(Locale.ROOT, "mpserver bench: %d cores, %s, java %s, %s, median of %d%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
            System.getProperty("java.version"), java.time.LocalDate.now(), repeat);

        if (only.contains(Case.throughput))
        {
            throughput();
        }
        if (only.contains(Case.latency))
        {
            routeLatency();
        }
        if (only.contains(Case.master))
        {
            masterOnly();
        }
        if (only.contains(Case.footprint))
        {
            footprint();
        }
        if (only.contains(Case.ceiling))
        {
            loadgenCeiling();
        }
        if (only.contains(Case.rtmp))
        {
            new RtmpBench(repo, repeat, out, results).run();
        }

        if (null != json)
        {
            Files.writeString(json, toJson(results) + "\n");
            out.println("JSON: " + json.toAbsolutePath());
        }
        return 0;
    }

    /**
     * Closed loop, all clients at once: messages/s and connections/s per server shape. The cases
     * take turns within each repeat (single, routed, not routed, C; then again), and every ratio is
     * the median of the ratios of one repeat, so that the minutes-long drift of a shared machine
     * falls on both sides of a ratio instead of between them.
     */
    private void throughput() throws Exception
    {
        final String[] why = new String[1];
        final Path reference = ReferenceServer.compile(repo, why);
        out.println();
        out.println("closed loop, N clients x 10 messages, all connecting at once (cases interleaved; a sample = " + RUNS_PER_SAMPLE
            + " runs after " + WARM_UP_MESSAGES / 1000 + " k messages of warm-up; medians)");
        if (null == reference)
        {
            out.println("  (C reference skipped: " + why[0] + ")");
        }
        out.printf(Locale.ROOT, "  %-28s %6s %12s %12s %12s %10s%n", "case", "N", "msgs/s", "conns/s", "route p99 ms", "failed");
        for (final int n : new int[] {1000, 5000})
        {
            final List<ThroughputCase> cases = new ArrayList<>(List.of(
                new ThroughputCase("single-process", ShardIds.random(), mpserver(n, "--workers", "0")),
                new ThroughputCase("routed (2 workers)", ShardIds.random(), mpserver(n, "--workers", "2")),
                new ThroughputCase("not routed (2 workers)", ShardIds.none(), mpserver(n, "--workers", "2"))));
            if (null != reference)
            {
                cases.add(new ThroughputCase("C reference (epoll, 1 proc)", ShardIds.random(),
                    () -> ServerUnderTest.startReference(reference)));
            }
            for (int r = 0; r < repeat; r++)
            {
                for (final ThroughputCase c : cases)
                {
                    c.measure(n, r);
                }
            }
            for (final ThroughputCase c : cases)
            {
                c.report(n);
            }
            final ThroughputCase single = cases.get(0);
            final ThroughputCase routed = cases.get(1);
            final ThroughputCase local = cases.get(2);
            final double routedOverLocal = medianRatio(routed.msgs, local.msgs);
            final double routedOverSingle = medianRatio(routed.msgs, single.msgs);
            out.printf(Locale.ROOT, "  routed / not routed = %.2f, routed / single-process = %.2f (msgs/s, median of per-repeat ratios; "
                + "per repeat: %s and %s)%n", routedOverLocal, routedOverSingle, ratios(routed.msgs, local.msgs), ratios(routed.msgs, single.msgs));
            results.put("ratio.routedOverNotRouted.N" + n, round(routedOverLocal));
            results.put("ratio.routedOverSingle.N" + n, round(routedOverSingle));
            if (null != reference)
            {
                final ThroughputCase c = cases.get(3);
                final double msgs = medianRatio(single.msgs, c.msgs);
                final double conns = medianRatio(single.conns, c.conns);
                out.printf(Locale.ROOT, "  single-process / C = %.2f msgs/s, %.2f conns/s%n", msgs, conns);
                results.put("ratio.singleOverC.N" + n + ".msgs", round(msgs));
                results.put("ratio.singleOverC.N" + n + ".conns", round(conns));
            }
        }
    }

    /** Starts the server of one measured run. */
    @FunctionalInterface
    private interface ServerStart
    {
        ServerUnderTest start() throws Exception;
    }

    private ServerStart mpserver(final int n, final String... args)
    {
        return () -> ServerUnderTest.start(repo, withMaxClients(args, n));
    }

    /** One server shape of the closed-loop table and its per-repeat figures. */
    private final class ThroughputCase
    {
        final String name;
        final ShardIds ids;
        final ServerStart server;
        final double[] msgs = new double[repeat];
        final double[] conns = new double[repeat];
        final double[] p99 = new double[repeat];
        long failed;

        ThroughputCase(final String name, final ShardIds ids, final ServerStart server)
        {
            this.name = name;
            this.ids = ids;
            this.server = server;
        }

        void measure(final int n, final int r) throws Exception
        {
            try (ServerUnderTest running = server.start())
            {
                // Unmeasured runs of the same shape first, at least WARM_UP_MESSAGES in all: the
                // servers are JVMs (and loadgen too), and a server in production is warm.
                for (int w = 0; w < Math.max(1, WARM_UP_MESSAGES / (n * 10)); w++)
                {
                    new LoadGenRun(LoadConfig.builder(running.port()).conns(n).msgs(10).shardIds(ids).shards(100_000)
                        .seed(100 + r * 10 + w).duration(120, TimeUnit.SECONDS).build()).call();
                }
                long replies = 0;
                long ok = 0;
                double seconds = 0;
                final double[] runP99 = new double[RUNS_PER_SAMPLE];
                for (int run = 0; run < RUNS_PER_SAMPLE; run++)
                {
                    final Report report = new LoadGenRun(LoadConfig.builder(running.port())
                        .conns(n).msgs(10).shardIds(ids).shards(100_000).seed(1 + r * RUNS_PER_SAMPLE + run)
                        .duration(120, TimeUnit.SECONDS).build()).call();
                    replies += report.replies();
                    ok += report.ok();
                    seconds += report.elapsedSeconds();
                    runP99[run] = report.latency(Latency.ROUTE).p99Nanos() / 1e6;
                    failed += report.failed() + report.shed();
                }
                msgs[r] = replies / seconds;
                conns[r] = ok / seconds;
                p99[r] = median(runP99);
            }
        }

        void report(final int n)
        {
            out.printf(Locale.ROOT, "  %-28s %6d %12.0f %12.0f %12.2f %10d%n", name, n, median(msgs), median(conns), median(p99), failed);
            final String key = "throughput." + name.replaceAll("[^a-z]+", "-") + ".N" + n;
            results.put(key + ".msgsPerSec", Math.round(median(msgs)));
            results.put(key + ".connsPerSec", Math.round(median(conns)));
            results.put(key + ".routeP99Ms", round(median(p99)));
            results.put(key + ".failed", failed);
        }
    }

    /** numerators[i] / denominators[i]: the ratio of each repeat. */
    private static double[] perRepeat(final double[] numerators, final double[] denominators)
    {
        final double[] ratios = new double[numerators.length];
        for (int i = 0; i < ratios.length; i++)
        {
            ratios[i] = numerators[i] / denominators[i];
        }
        return ratios;
    }

    private static String ratios(final double[] numerators, final double[] denominators)
    {
        final StringBuilder text = new StringBuilder();
        for (final double ratio : perRepeat(numerators, denominators))
        {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", ratio));
        }
        return text.toString();
    }

    private static double medianRatio(final double[] numerators, final double[] denominators)
    {
        return median(perRepeat(numerators, denominators));
    }

    /** Open loop: route latency (C + first M written → first reply) at a fixed connection rate. */
    private void routeLatency() throws Exception
    {
        out.println();
        out.println("open loop, routed (2 workers, random shards), 1 message per connection, 5 s");
        out.printf(Locale.ROOT, "  %-14s %12s %10s %10s %10s %10s%n", "conns/s", "achieved", "p50 ms", "p99 ms", "max ms", "failed");
        for (final int rate : new int[] {1000, 3000})
        {
            final double[] p50 = new double[repeat];
            final double[] p99 = new double[repeat];
            final double[] max = new double[repeat];
            final double[] achieved = new double[repeat];
            long failed = 0;
            for (int r = 0; r < repeat; r++)
            {
                try (ServerUnderTest server = ServerUnderTest.start(repo, "--workers", "2", "--max-clients", "5000"))
                {
                    new LoadGenRun(LoadConfig.builder(server.port()).conns(rate * 2L).msgs(1)
                        .arrivals(ArrivalSchedule.constantRate(rate)).shardIds(ShardIds.random()).shards(100_000)
                        .seed(100 + r).duration(60, TimeUnit.SECONDS).build()).call(); // warm-up, unmeasured
                    final Report report = new LoadGenRun(LoadConfig.builder(server.port())
                        .conns(rate * 5L).msgs(1).arrivals(ArrivalSchedule.constantRate(rate))
                        .shardIds(ShardIds.random()).shards(100_000).seed(r + 7)
                        .duration(60, TimeUnit.SECONDS).build()).call();
                    p50[r] = report.latency(Latency.ROUTE).p50Nanos() / 1e6;
                    p99[r] = report.latency(Latency.ROUTE).p99Nanos() / 1e6;
                    max[r] = report.latency(Latency.ROUTE).maxNanos() / 1e6;
                    achieved[r] = report.achievedConnRate();
                    failed += report.failed() + report.shed();
                }
            }
            out.printf(Locale.ROOT, "  %-14d %12.0f %10.2f %10.2f %10.2f %10d%n", rate, median(achieved), median(p50), median(p99),
                median(max), failed);
            results.put("routeLatency.rate" + rate + ".p50Ms", round(median(p50)));
            results.put("routeLatency.rate" + rate + ".p99Ms", round(median(p99)));
            results.put("routeLatency.rate" + rate + ".maxMs", round(median(max)));
            results.put("routeLatency.rate" + rate + ".failed", failed);
        }
    }

    /** The master alone, fed by synthetic workers that stream HANDOFFs with dup'ed fds. */
    private void masterOnly() throws Exception
    {
        final double[] rates = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            // Synthetic workers hold no clients: the master's per-worker load count only grows, and
            // must not make it spawn more JVMs in the middle of the measurement.
            try (ServerUnderTest server = ServerUnderTest.start(repo, "--workers", "2", "--max-workers", "2",
                "--worker-capacity", "1000000000", "--worker-class", "dev.mpserver.master.bench.SyntheticWorker"))
            {
                Thread.sleep(1000);
                final long before = RunDirCounters.read(server.runDir()).master(MasterCounter.HANDOFFS_ROUTED);
                final long start = System.nanoTime();
                Thread.sleep(5000);
                final long after = RunDirCounters.read(server.runDir()).master(MasterCounter.HANDOFFS_ROUTED);
                rates[r] = (after - before) / ((System.nanoTime() - start) / 1e9);
            }
        }
        out.println();
        out.printf(Locale.ROOT, "master only (2 synthetic workers, dup'ed fds, 10 000 shards): %.0f hand-offs/s%n", median(rates));
        results.put("masterOnly.handoffsPerSec", Math.round(median(rates)));
    }

    /**
     * Spawn-to-READY as the master measured it, twice: the first worker (started while the master
     * JVM itself is still starting) and a respawn after kill -9 (the master idle, as when it spawns
     * for a burst). Resident memory right after start and at rest (6 s: the JVM returns its
     * compilers' start-up arenas after ~5 s).
     */
    private void footprint() throws Exception
    {
        final double[] ready = new double[repeat];
        final double[] respawn = new double[repeat];
        final double[] masterRss = new double[repeat];
        final double[] workerRssEarly = new double[repeat];
        final double[] workerRss = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            try (ServerUnderTest server = ServerUnderTest.start(repo, "--workers", "1"))
            {
                Thread.sleep(1000);
                ready[r] = RunDirCounters.read(server.runDir()).master(MasterCounter.LAST_SPAWN_TO_READY_MS);
                workerRssEarly[r] = workerRssMiB(server);
                Thread.sleep(5000);
                masterRss[r] = ServerUnderTest.rssKib(server.pid()) / 1024.0;
                workerRss[r] = workerRssMiB(server);
                respawn[r] = respawnToReadyMs(server);
            }
        }
        out.println();
        out.printf(Locale.ROOT, "worker spawn to READY: first %.0f ms, respawn %.0f ms; RSS: master %.1f MiB, idle worker %.1f MiB at 1 s, "
            + "%.1f MiB at rest%n", median(ready), median(respawn), median(masterRss), median(workerRssEarly), median(workerRss));
        results.put("spawnToReadyMs", Math.round(median(ready)));
        results.put("respawnToReadyMs", Math.round(median(respawn)));
        results.put("rss.masterMiB", round(median(masterRss)));
        results.put("rss.idleWorkerAt1sMiB", round(median(workerRssEarly)));
        results.put("rss.idleWorkerMiB", round(median(workerRss)));
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
        final RunDirCounters before = RunDirCounters.read(server.runDir());
        final long spawnsBefore = before.master(MasterCounter.SPAWNS);
        final long readyBefore = before.master(MasterCounter.LAST_SPAWN_TO_READY_MS);
        ProcessHandle.of(workers.get(0)).ifPresent(ProcessHandle::destroyForcibly);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            Thread.sleep(50);
            final RunDirCounters counters = RunDirCounters.read(server.runDir());
            // READY of the replacement is the only thing that changes the figure (equal by chance: wait out the deadline).
            if (counters.master(MasterCounter.SPAWNS) > spawnsBefore && counters.master(MasterCounter.LAST_SPAWN_TO_READY_MS) != readyBefore)
            {
                return counters.master(MasterCounter.LAST_SPAWN_TO_READY_MS);
            }
        }
        return -1;
    }

    /** How fast loadgen itself can go against the cheapest server (single-process). */
    private void loadgenCeiling() throws Exception
    {
        final double[] msgs = new double[repeat];
        final double[] conns = new double[repeat];
        for (int r = 0; r < repeat; r++)
        {
            try (ServerUnderTest server = ServerUnderTest.start(repo, "--workers", "0"))
            {
                new LoadGenRun(LoadConfig.builder(server.port()).conns(100).msgs(2000).pipeline(32)
                    .shardIds(ShardIds.random()).duration(60, TimeUnit.SECONDS).build()).call(); // warm-up
                final Report pipelined = new LoadGenRun(LoadConfig.builder(server.port())
                    .conns(100).msgs(5000).pipeline(32).shardIds(ShardIds.random()).duration(60, TimeUnit.SECONDS).build()).call();
                msgs[r] = pipelined.replies() / pipelined.elapsedSeconds();
                final Report connects = new LoadGenRun(LoadConfig.builder(server.port())
                    .conns(10_000).msgs(1).concurrency(500).shardIds(ShardIds.random()).duration(60, TimeUnit.SECONDS).build()).call();
                conns[r] = connects.ok() / connects.elapsedSeconds();
            }
        }
        out.println();
        out.printf(Locale.ROOT, "loadgen ceiling vs single-process: %.0f msgs/s (100 conns, pipeline 32), %.0f conns/s "
            + "(10 000 x 1 msg, 500 at a time): far above what any server case above reaches, so loadgen is not the limit%n",
            median(msgs), median(conns));
        results.put("loadgenCeiling.msgsPerSec", Math.round(median(msgs)));
        results.put("loadgenCeiling.connsPerSec", Math.round(median(conns)));
    }

    private static String[] withMaxClients(final String[] args, final int n)
    {
        final List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--max-clients");
        all.add(Integer.toString(Math.max(1000, n + 100)));
        return all.toArray(new String[0]);
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double round(final double value)
    {
        return Math.round(value * 100) / 100.0;
    }

    private static String toJson(final Map<String, Object> map)
    {
        final StringBuilder json = new StringBuilder("{");
        for (final Map.Entry<String, Object> e : map.entrySet())
        {
            json.append(json.length() == 1 ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
        }
        return json.append('}').toString();
    }

    public static void main(final String[] args) throws IOException
    {
        System.exit(new CommandLine(new Bench()).execute(args));
    }
}
