package dev.mpserver.loadgen.bench;

import dev.mpserver.loadgen.rtmp.RtmpConfig;
import dev.mpserver.loadgen.rtmp.RtmpLatency;
import dev.mpserver.loadgen.rtmp.RtmpProbe;
import dev.mpserver.loadgen.rtmp.RtmpReport;
import dev.mpserver.loadgen.rtmp.RtmpRun;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static dev.mpserver.loadgen.bench.Stats.list;
import static dev.mpserver.loadgen.bench.Stats.median;
import static dev.mpserver.loadgen.bench.Stats.perRepeat;
import static dev.mpserver.loadgen.bench.Stats.round;

/**
 * {@code scripts/bench --only rtmp-load}: mpserver against nginx-rtmp (Debian nginx-light +
 * libnginx-mod-rtmp), each with 1 and 2 workers, under {@code loadgen rtmp}: 1 publisher x 1 000
 * players, and 50 streams x 20 players. Per case: players served, frames lost, relay latency p50/p99,
 * time to first frame p50/p99, the server's CPU (all its processes, from /proc) and resident memory
 * per 1 000 players and per stream (loaded minus idle, sampled at 75 % of the run), and loadgen's own
 * CPU and resident memory growth per 1 000 players (its JVM's heap sizing is in that figure: compare
 * runs of different sizes, or see loadgen/README.md for the live heap per player). Installs nothing: a peer that is missing, or an mpserver that does not answer an RTMP
 * handshake, is skipped with the reason. Each figure is the median of --repeat runs; the servers take
 * turns within each repeat.
 */
final class RtmpLoadBench
{
    /** The two loads of the issue: streams x players per stream. */
    private static final int[][] LOADS = {{1, 1000}, {50, 20}};
    private static final long RUN_SECONDS = 20;
    /** Players arrive over about two seconds, as a crowd does, not in one burst of connects. */
    private static final double ARRIVALS_PER_SECOND = 500;
    /** Memory is sampled this far into the run: every player is playing, publishers are still sending. */
    private static final double MEMORY_SAMPLE_AT = 0.75;
    private static final int PROBE_TIMEOUT_MILLIS = 3000;

    @FunctionalInterface
    private interface Starter
    {
        BenchedServer start() throws Exception;
    }

    private record Peer(String name, Starter starter)
    {
    }

    private final Path repo;
    private final Path workDir;
    private final ServerJava java;
    private final int repeat;
    private final PrintStream out;
    private final BiConsumer<String, Object> results;
    private final long ticksPerSecond;

    RtmpLoadBench(
        final Path repo, final Path workDir, final ServerJava java, final int repeat, final PrintStream out,
        final Map<String, Object> results)
    {
        this.repo = repo;
        this.workDir = workDir;
        this.java = java;
        this.repeat = repeat;
        this.out = out;
        this.results = results::put;
        this.ticksPerSecond = clockTicks();
    }

    void run() throws Exception
    {
        out.println();
        out.printf(Locale.ROOT, "rtmp load (loadgen rtmp, %d s a run, players arrive at %.0f/s, 500 kbit/s video + 64 kbit/s audio, "
            + "25 fps, keyframe a second; medians of %d)%n", RUN_SECONDS, ARRIVALS_PER_SECOND, repeat);
        final List<Peer> peers = new ArrayList<>();
        for (final int workers : new int[] {1, 2})
        {
            peers.add(new Peer("mpserver " + workers + "w", () -> mpserver(workers)));
        }
        final String nginxMissing = NginxRtmp.whyUnavailable();
        if (nginxMissing == null)
        {
            for (final int workers : new int[] {1, 2})
            {
                peers.add(new Peer("nginx-rtmp " + workers + "w", () -> NginxRtmp.start(workers)));
            }
        }
        else
        {
            out.println("  (nginx-rtmp skipped: " + nginxMissing + ")");
        }
        out.printf(Locale.ROOT, "  %-15s %-12s %8s %8s %9s %9s %9s %9s %9s %10s %10s %9s %10s%n", "server", "load", "served", "lost",
            "relay p50", "relay p99", "ttff p50", "ttff p99", "cpu s", "MiB/1000p", "MiB/stream", "lg cpu/1k", "lg MiB/1k");
        for (final int[] load : LOADS)
        {
            measure(peers, load[0], load[1]);
        }
        out.println("  served: players that got a keyframe of their stream, of all; lost: frames missing after players' first "
            + "keyframes; latencies in ms; cpu s: the server's processes' CPU seconds in the run; MiB/1000p and MiB/stream: "
            + "server RSS loaded minus idle, per 1 000 players and per stream; lg: loadgen's own CPU seconds and RSS "
            + "growth (before the run → all playing) per 1 000 players; relay p99 / nginx-rtmp 1w: the ratio within "
            + "each repeat (the servers take turns in every repeat, so each pair saw the same machine), then their median");
    }

    /**
     * One load on every peer: repeat by repeat, the peers in turns (mpserver 1w, 2w, nginx-rtmp 1w,
     * 2w, then again), so that a machine that gets busier or quieter over minutes weighs on all of
     * them alike and the per-repeat ratios compare runs made side by side.
     */
    private void measure(final List<Peer> peers, final int streams, final int players) throws Exception
    {
        final String load = streams + "x" + players;
        final List<Figures> figures = new ArrayList<>();
        for (final Peer peer : peers)
        {
            figures.add(new Figures(peer, repeat));
        }
        for (int r = 0; r < repeat; r++)
        {
            for (final Figures peer : figures)
            {
                if (peer.skipped == null)
                {
                    runOnce(peer, streams, players, r);
                }
            }
        }
        final Figures nginxSingle = figures.stream().filter(f -> f.peer.name().equals("nginx-rtmp 1w") && f.skipped == null)
            .findFirst().orElse(null);
        for (final Figures f : figures)
        {
            if (f.skipped != null)
            {
                out.printf(Locale.ROOT, "  %-15s %-12s skipped: %s%n", f.peer.name(), load, f.skipped);
                continue;
            }
            out.printf(Locale.ROOT, "  %-15s %-12s %8s %8.0f %9.2f %9.2f %9.1f %9.1f %9.2f %10.2f %10.2f %9.2f %10.2f%n",
                f.peer.name(), load, String.format(Locale.ROOT, "%.0f/%d", median(f.served), streams * players), median(f.lost),
                median(f.relay50), median(f.relay99), median(f.ttff50), median(f.ttff99), median(f.cpu), median(f.mibPer1000),
                median(f.mibPerStream), median(f.loadgenCpu), median(f.loadgenMib));
            final String key = "rtmpLoad." + f.peer.name().replace(' ', '.') + "." + load;
            results.accept(key + ".served", median(f.served));
            results.accept(key + ".players", streams * players);
            results.accept(key + ".framesLost", median(f.lost));
            results.accept(key + ".relayP50Ms", round(median(f.relay50)));
            results.accept(key + ".relayP99Ms", round(median(f.relay99)));
            results.accept(key + ".ttffP50Ms", round(median(f.ttff50)));
            results.accept(key + ".ttffP99Ms", round(median(f.ttff99)));
            results.accept(key + ".serverCpuSeconds", round(median(f.cpu)));
            results.accept(key + ".serverMiBPer1000Players", round(median(f.mibPer1000)));
            results.accept(key + ".serverMiBPerStream", round(median(f.mibPerStream)));
            results.accept(key + ".loadgenCpuSecondsPer1000Players", round(median(f.loadgenCpu)));
            results.accept(key + ".loadgenMiBPer1000Players", round(median(f.loadgenMib)));
        }
        if (nginxSingle != null)
        {
            for (final Figures f : figures)
            {
                if (f.skipped == null && f.peer.name().startsWith("mpserver"))
                {
                    final double[] ratios = perRepeat(f.relay99, nginxSingle.relay99);
                    out.printf(Locale.ROOT, "  %-15s %-12s relay p99 / nginx-rtmp 1w %.2f (per repeat %s)%n", f.peer.name(), load,
                        median(ratios), list(ratios));
                    results.accept("rtmpLoad." + f.peer.name().replace(' ', '.') + "." + load + ".relayP99VsNginx1w",
                        round(median(ratios)));
                }
            }
        }
    }

    /** One run of one peer under one load, into repeat {@code r} of its figures. */
    private void runOnce(final Figures f, final int streams, final int players, final int r) throws Exception
    {
        try (BenchedServer server = f.peer.starter().start())
        {
            final String why = RtmpProbe.whyNotRtmp(new InetSocketAddress("127.0.0.1", server.port()), PROBE_TIMEOUT_MILLIS);
            if (why != null)
            {
                f.skipped = why;
                return;
            }
            final long idleKib = rssKib(server.pids());
            final long cpuBefore = cpuTicks(server.pids());
            final long loadgenRssBefore = selfRssKib();
            // [0] the server's RSS, [1] loadgen's own, both sampled with every player playing.
            final long[] loadedKib = new long[2];
            final RtmpRun run = new RtmpRun(RtmpConfig.builder(server.port()).streams(streams).players(players)
                .vhosts(streams).duration(RUN_SECONDS, TimeUnit.SECONDS).rate(ARRIVALS_PER_SECOND).threads(2).build());
            run.onProgress(sample ->
            {
                if (loadedKib[0] == 0 && sample.elapsedNanos() >= MEMORY_SAMPLE_AT * TimeUnit.SECONDS.toNanos(RUN_SECONDS))
                {
                    loadedKib[0] = rssKib(server.pids());
                    loadedKib[1] = selfRssKib();
                }
            });
            final RtmpReport report = run.call();
            final int all = streams * players;
            f.served[r] = report.playersServed();
            f.lost[r] = report.framesLost();
            f.relay50[r] = report.latency(RtmpLatency.RELAY).p50Nanos() / 1e6;
            f.relay99[r] = report.latency(RtmpLatency.RELAY).p99Nanos() / 1e6;
            f.ttff50[r] = report.latency(RtmpLatency.FIRST_FRAME).p50Nanos() / 1e6;
            f.ttff99[r] = report.latency(RtmpLatency.FIRST_FRAME).p99Nanos() / 1e6;
            f.cpu[r] = (cpuTicks(server.pids()) - cpuBefore) / (double)ticksPerSecond;
            f.mibPer1000[r] = (loadedKib[0] - idleKib) / 1024.0 * 1000 / all;
            f.mibPerStream[r] = (loadedKib[0] - idleKib) / 1024.0 / streams;
            f.loadgenCpu[r] = report.self().cpuNanos() / 1e9 * 1000 / all;
            f.loadgenMib[r] = Math.max(0, loadedKib[1] - loadgenRssBefore) / 1024.0 * 1000 / all;
        }
    }

    /** One peer's figures under one load, a value per repeat (NaN until run). */
    private static final class Figures
    {
        final Peer peer;
        String skipped;
        final double[] served;
        final double[] lost;
        final double[] relay50;
        final double[] relay99;
        final double[] ttff50;
        final double[] ttff99;
        final double[] cpu;
        final double[] mibPer1000;
        final double[] mibPerStream;
        final double[] loadgenCpu;
        final double[] loadgenMib;

        Figures(final Peer peer, final int repeat)
        {
            this.peer = peer;
            served = nan(repeat);
            lost = nan(repeat);
            relay50 = nan(repeat);
            relay99 = nan(repeat);
            ttff50 = nan(repeat);
            ttff99 = nan(repeat);
            cpu = nan(repeat);
            mibPer1000 = nan(repeat);
            mibPerStream = nan(repeat);
            loadgenCpu = nan(repeat);
            loadgenMib = nan(repeat);
        }

        private static double[] nan(final int n)
        {
            final double[] values = new double[n];
            Arrays.fill(values, Double.NaN);
            return values;
        }
    }

    private BenchedServer mpserver(final int workers) throws Exception
    {
        // No standby: the CPU counted is the serving workers', next to nginx-rtmp's, with no JVM start
        // in the run (on defaults one starts 5 s after the pool is warm; the cold case measures it).
        return ServerUnderTest.start(repo, workDir, java, "--workers", Integer.toString(workers), "--standby", "0");
    }

    /** utime + stime of the processes, in clock ticks (/proc/PID/stat fields 14 and 15). */
    private static long cpuTicks(final List<Long> pids)
    {
        long ticks = 0;
        for (final long pid : pids)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
                // Fields after the command name, which is in parentheses and may hold spaces.
                final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            }
            catch (final IOException | RuntimeException gone)
            {
                // A process that exited has nothing more to count.
            }
        }
        return ticks;
    }

    private static long rssKib(final List<Long> pids)
    {
        long kib = 0;
        for (final long pid : pids)
        {
            kib += Math.max(0, ServerUnderTest.rssKib(pid));
        }
        return kib;
    }

    private static long selfRssKib()
    {
        return ServerUnderTest.rssKib(ProcessHandle.current().pid());
    }

    private static long clockTicks()
    {
        try
        {
            final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            final String value = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(value);
        }
        catch (final IOException | InterruptedException | NumberFormatException e)
        {
            return 100; // Linux's USER_HZ everywhere we run
        }
    }
}
