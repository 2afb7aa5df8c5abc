package dev.mpserver.loadgen.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.launch.Executables;

/**
 * {@code scripts/bench --only rtmp}: live RTMP with real ffmpeg, mpserver on 2 and 4 workers side
 * by side with nginx-rtmp on 1 and 2 workers (when installed). Each case: 4 (by default)
 * publishers (x264 ultrafast 320x240, 25 fps, a keyframe every second, AAC) on their own vhosts,
 * then 15 ffmpeg players per stream started together, once with ffmpeg's
 * default options and once with low-latency ones ({@link #LOW_LATENCY}); each plays {@value
 * #PLAY_SECONDS} s. Reported per case:
 * <ul>
 *   <li>players that decoded frames (must be all);</li>
 *   <li>{@code play} → first media bytes, timed on the wire by {@link RtmpTimingProxy} (median, p90);</li>
 *   <li>player start → first decoded frame, from ffmpeg's {@code -progress} output (median, p90;
 *       ffmpeg alone needs ~1.1-1.3 s of it to start and connect);</li>
 *   <li>server CPU per relayed stream: the server's processes' CPU time over the players' run,
 *       per stream, as % of one core.</li>
 * </ul>
 * Heavy on purpose (64 ffmpeg processes at once): run it on a quiet machine. The system properties
 * {@code mpserver.bench.rtmp.streams} and {@code mpserver.bench.rtmp.players} shrink it to check the
 * harness itself ({@code JAVA_TOOL_OPTIONS=-Dmpserver.bench.rtmp.players=1 scripts/bench --only rtmp}).
 */
final class RtmpBench
{
    static final int STREAMS = Integer.getInteger("mpserver.bench.rtmp.streams", 4);
    static final int PLAYERS_PER_STREAM = Integer.getInteger("mpserver.bench.rtmp.players", 15);
    static final int PLAY_SECONDS = 5;
    static final List<String> LOW_LATENCY = List.of("-fflags", "nobuffer", "-analyzeduration", "200000", "-probesize", "32768");

    private static final int FPS = 25;
    private static final long PUBLISHER_WARM_UP_MILLIS = 4_000;
    private static final long PLAYERS_TIMEOUT_SECONDS = 60;
    /** A player that gets nothing (nginx-rtmp, publisher on another worker) gives up after this long: microseconds. */
    private static final String PLAYER_IO_TIMEOUT_MICROS = "15000000";
    private static final String FRAME_PREFIX = "frame=";

    private final Path repo;
    private final Path workDir;
    private final ServerJava java;
    private final int repeat;
    private final PrintStream out;
    private final Map<String, Object> results;

    RtmpBench(
        final Path repo, final Path workDir, final ServerJava java, final int repeat, final PrintStream out,
        final Map<String, Object> results)
    {
        this.repo = repo;
        this.workDir = workDir;
        this.java = java;
        this.repeat = repeat;
        this.out = out;
        this.results = results;
    }

    void run() throws Exception
    {
        out.println();
        out.printf(Locale.ROOT, "rtmp: %d streams x %d ffmpeg players (x264 ultrafast 320x240 %d fps, keyframe every 1 s, AAC), "
            + "players play %d s, started together; %d run(s) pooled%n", STREAMS, PLAYERS_PER_STREAM, FPS, PLAY_SECONDS, repeat);
        if (null == ffmpeg())
        {
            out.println("  skipped: ffmpeg is not installed (Debian: apt-get install ffmpeg)");
            return;
        }
        out.printf(Locale.ROOT, "  %-12s %7s %-12s %10s %22s %24s %14s%n", "server", "workers", "player opts", "players ok",
            "play->media p50/p90 ms", "first frame p50/p90 ms", "CPU %/stream");
        for (final int workers : new int[] {2, 4})
        {
            for (final boolean lowLatency : new boolean[] {false, true})
            {
                measure("mpserver", workers, lowLatency);
            }
        }
        final String nginxMissing = NginxRtmp.whyUnavailable();
        if (null != nginxMissing)
        {
            out.println("  nginx-rtmp skipped: " + nginxMissing);
            return;
        }
        for (final int workers : new int[] {1, 2})
        {
            for (final boolean lowLatency : new boolean[] {false, true})
            {
                measure("nginx-rtmp", workers, lowLatency);
            }
        }
    }

    private void measure(final String serverName, final int workers, final boolean lowLatency) throws Exception
    {
        final List<Double> playToMedia = new ArrayList<>();
        final List<Double> firstFrame = new ArrayList<>();
        final List<Double> cpuPerStream = new ArrayList<>();
        int ok = 0;
        int players = 0;
        for (int r = 0; r < repeat; r++)
        {
            try (BenchedServer server = start(serverName, workers); RtmpTimingProxy proxy = new RtmpTimingProxy(server.port()))
            {
                final List<Process> publishers = new ArrayList<>();
                try
                {
                    for (int s = 0; s < STREAMS; s++)
                    {
                        publishers.add(publisher(server.port(), s));
                    }
                    Thread.sleep(PUBLISHER_WARM_UP_MILLIS);
                    final long cpuBefore = cpuNanos(server.pids());
                    final long started = System.nanoTime();
                    final List<Player> running = new ArrayList<>();
                    for (int s = 0; s < STREAMS; s++)
                    {
                        for (int p = 0; p < PLAYERS_PER_STREAM; p++)
                        {
                            running.add(Player.start(ffmpeg(), proxy.port(), s, lowLatency));
                        }
                    }
                    for (final Player player : running)
                    {
                        player.await(PLAYERS_TIMEOUT_SECONDS);
                        players++;
                        ok += player.framesDecoded() > 0 ? 1 : 0;
                        if (player.firstFrameMillis() >= 0)
                        {
                            firstFrame.add(player.firstFrameMillis());
                        }
                    }
                    final double seconds = (System.nanoTime() - started) / 1e9;
                    cpuPerStream.add((cpuNanos(server.pids()) - cpuBefore) / 1e9 / seconds / STREAMS * 100);
                    for (final RtmpTimingProxy.Timing timing : proxy.plays())
                    {
                        if (timing.playToMediaMillis() >= 0)
                        {
                            playToMedia.add(timing.playToMediaMillis());
                        }
                    }
                }
                finally
                {
                    for (final Process publisher : publishers)
                    {
                        publisher.destroyForcibly();
                        publisher.waitFor(5, TimeUnit.SECONDS);
                    }
                }
            }
        }
        final String options = lowLatency ? "low-latency" : "default";
        out.printf(Locale.ROOT, "  %-12s %7d %-12s %10s %22s %24s %14.1f%n", serverName, workers, options, ok + "/" + players,
            percentiles(playToMedia), percentiles(firstFrame), median(cpuPerStream));
        final String prefix = "rtmp." + serverName + "." + workers + "w." + options + ".";
        results.put(prefix + "playersOk", ok);
        results.put(prefix + "players", players);
        results.put(prefix + "playToMediaP50Ms", round(percentile(playToMedia, 50)));
        results.put(prefix + "playToMediaP90Ms", round(percentile(playToMedia, 90)));
        results.put(prefix + "firstFrameP50Ms", round(percentile(firstFrame, 50)));
        results.put(prefix + "firstFrameP90Ms", round(percentile(firstFrame, 90)));
        results.put(prefix + "cpuPercentPerStream", round(median(cpuPerStream)));
    }

    private BenchedServer start(final String serverName, final int workers) throws Exception
    {
        return "mpserver".equals(serverName) ?
            ServerUnderTest.start(repo, workDir, java, "--workers", Integer.toString(workers)) : NginxRtmp.start(workers);
    }

    /** Stream {@code s}'s URL: its own vhost (mpserver spreads vhosts over workers; nginx-rtmp drops the query). */
    static String url(final int port, final int stream)
    {
        return "rtmp://127.0.0.1:" + port + "/live/stream" + stream + "?vhost=bench" + stream;
    }

    private static Process publisher(final int port, final int stream) throws IOException
    {
        return new ProcessBuilder(ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=" + FPS, "-f", "lavfi", "-i", "sine",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", Integer.toString(FPS), "-c:a", "aac", "-t", "600",
            "-f", "flv", url(port, stream))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** One ffmpeg player: when it started, when its -progress output first counted a frame, how many it decoded. */
    private static final class Player
    {
        private final Process process;
        private final long startedNanos;
        private volatile long firstFrameNanos;
        private volatile int frames;
        private final Thread reader;

        private Player(final Process process, final long startedNanos)
        {
            this.process = process;
            this.startedNanos = startedNanos;
            this.reader = new Thread(this::readProgress, "ffmpeg-progress");
            reader.setDaemon(true);
            reader.start();
        }

        static Player start(final String ffmpeg, final int port, final int stream, final boolean lowLatency) throws IOException
        {
            final List<String> command = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-progress", "pipe:1", "-stats_period", "0.02"));
            if (lowLatency)
            {
                command.addAll(LOW_LATENCY);
            }
            command.addAll(List.of("-rw_timeout", PLAYER_IO_TIMEOUT_MICROS, "-i", url(port, stream), "-t", Integer.toString(PLAY_SECONDS), "-f", "null", "-"));
            final long started = System.nanoTime();
            return new Player(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start(), started);
        }

        private void readProgress()
        {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    if (line.startsWith(FRAME_PREFIX))
                    {
                        final int count = Integer.parseInt(line.substring(FRAME_PREFIX.length()).trim());
                        if (count > 0 && 0 == firstFrameNanos)
                        {
                            firstFrameNanos = System.nanoTime();
                        }
                        frames = count;
                    }
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                // the player is gone; what it reported stands
            }
        }

        void await(final long seconds) throws InterruptedException
        {
            if (!process.waitFor(seconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
        }

        int framesDecoded()
        {
            return process.exitValue() == 0 ? frames : 0;
        }

        double firstFrameMillis()
        {
            return 0 == firstFrameNanos ? -1 : (firstFrameNanos - startedNanos) / 1e6;
        }
    }

    private static long cpuNanos(final List<Long> pids)
    {
        long total = 0;
        for (final long pid : pids)
        {
            total += ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }
        return total;
    }

    private static String ffmpeg()
    {
        final Path found = Executables.find("ffmpeg");
        return null == found ? null : found.toString();
    }

    private static String percentiles(final List<Double> values)
    {
        return values.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f / %.0f", percentile(values, 50), percentile(values, 90));
    }

    private static double percentile(final List<Double> values, final int percent)
    {
        if (values.isEmpty())
        {
            return -1;
        }
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int)Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private static double median(final List<Double> values)
    {
        return percentile(values, 50);
    }

    private static double round(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }
}
