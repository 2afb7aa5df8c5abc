package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.rtmp.RtmpConfig;
import dev.mpserver.loadgen.rtmp.RtmpHtml;
import dev.mpserver.loadgen.rtmp.RtmpJsonReport;
import dev.mpserver.loadgen.rtmp.RtmpProbe;
import dev.mpserver.loadgen.rtmp.RtmpProgressPrinter;
import dev.mpserver.loadgen.rtmp.RtmpReport;
import dev.mpserver.loadgen.rtmp.RtmpRun;
import dev.mpserver.loadgen.rtmp.RtmpSummaryTable;
import dev.mpserver.protocol.cli.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code loadgen rtmp}: RTMP publishers and players, relay latency, time to first frame, routing verified. */
@Command(
    name = "rtmp",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    headerHeading = "%n",
    header = "RTMP load: publishers and thousands of players in one process, against any RTMP server.",
    description = {
        "Per stream one publisher and --players players, over a few event-loop threads (no thread per client). "
            + "Publishers connect at time zero: connect, releaseStream, FCPublish, createStream, publish(streamK, live), "
            + "then @setDataFrame onMetaData, the AVC and AAC sequence headers, and frames on a clock: --fps video "
            + "frames a second (a keyframe every --gop), AAC frames every 23.2 ms, sized to --bitrate. Every frame is a "
            + "plausible AVC/AAC tag carrying loadgen's stamp: stream, sequence number, intended send time.",
        "Players start once every publisher is live (at --rate a second, else all at once): connect, createStream, "
            + "play(streamK), SetBufferLength 3000; they read only the first bytes of each frame.",
        "",
        "Figures: time to first frame (player start → its first keyframe whole; from the intended arrival with "
            + "--rate), play start, publish → receive latency of every live frame from the publisher's intended send "
            + "time (a stalled server shows in full, as wrk2), frames lost in gaps after a player's first keyframe and "
            + "at the end (publishers stop 1 s before --duration ends), reordering, frames of other streams, bytes.",
        "Per stream: which players got nothing, which lost frames, which were served by another worker than the "
            + "publisher's (workerPid in the Publish.Start/Play.Start info objects, as mpserver tells it; servers "
            + "that tell none are checked by media only). Routing table by worker pid.",
        ""
    },
    footerHeading = "%nExit status:%n",
    footer = {
        "  0  the run finished (with --verify: every stream verified; --probe: the server speaks RTMP)",
        "  1  --verify: some player did not get every frame from its first keyframe on, from its",
        "     publisher's worker (see the per-stream lines); --probe: the server does not speak RTMP",
        "  2  bad command line",
        "  3  the run could not be carried out (engine error, --json/--html not writable)",
        "",
        "Examples:",
        "  loadgen rtmp --port 1935 --streams 4 --players 25 --duration 20s --verify",
        "  loadgen rtmp --port 1935 --streams 1 --players 1000 --rate 200 --bitrate 1M \\",
        "      --json out.json --html out.html"
    })
public final class RtmpCommand implements Callable<Integer>
{
    private static final int EXIT_RUN_ERROR = 3;
    private static final long RESERVED_FDS = 64;
    private static final int PROBE_TIMEOUT_MILLIS = 3000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", order = 1, paramLabel = "HOST", defaultValue = RtmpConfig.DEFAULT_HOST,
        description = "Server address; loopback only unless --allow-remote. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", order = 2, paramLabel = "PORT", required = true, description = "Server port (required).")
    int port;

    @Option(names = "--allow-remote", order = 3,
        description = "Allow a --host that is not a loopback address (only a machine you own and may load).")
    boolean allowRemote;

    @Option(names = "--streams", order = 10, paramLabel = "S", defaultValue = "" + RtmpConfig.DEFAULT_STREAMS,
        description = "Streams, each with one publisher. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--players", order = 11, paramLabel = "N", defaultValue = "" + RtmpConfig.DEFAULT_PLAYERS,
        description = "Players PER STREAM (player n plays stream n mod S). Default: ${DEFAULT-VALUE}.")
    int players;

    @Option(names = "--vhosts", order = 12, paramLabel = "V", defaultValue = "1",
        description = "Vhosts the streams are spread over (stream k on vhost k mod V, named in the tcUrl's host: "
            + "vhost0, vhost1, …; with 1, the tcUrl names --host). mpserver routes by vhost. Default: ${DEFAULT-VALUE}.")
    int vhosts;

    @Option(names = "--app", order = 13, paramLabel = "APP", defaultValue = RtmpConfig.DEFAULT_APP,
        description = "Application name in the tcUrl. Default: ${DEFAULT-VALUE}.")
    String app;

    @Option(names = "--bitrate", order = 20, paramLabel = "BITS/S", defaultValue = "500k", converter = BitrateConverter.class,
        description = "Video bit rate of each publisher (500k, 2M, …); audio adds 64 kbit/s. Keyframes weigh 8 inter "
            + "frames. Default: ${DEFAULT-VALUE}.")
    long bitrate;

    @Option(names = "--fps", order = 21, paramLabel = "N", defaultValue = "" + RtmpConfig.DEFAULT_FPS,
        description = "Video frames per second. Default: ${DEFAULT-VALUE}.")
    int fps;

    @Option(names = "--gop", order = 22, paramLabel = "N",
        description = "Frames from one keyframe to the next. Default: --fps (a keyframe a second).")
    Integer gop;

    @Option(names = "--duration", order = 30, paramLabel = "TIME", defaultValue = "30s", converter = DurationConverter.class,
        description = "Length of the run; publishers stop sending min(1 s, a quarter of it) before the end, players "
            + "stay to the end. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--timeout", order = 31, paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "A client that waits this long without any byte from the server (a reply, media) fails with "
            + "'timeout' in its phase; a player that got nothing fails in phase first-frame. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--rate", order = 32, paramLabel = "PLAYERS/S",
        description = "Open loop: player arrivals per second, all streams together, from the moment every publisher "
            + "is live. Time to first frame then counts from each player's intended arrival. Default: all at once.")
    Double rate;

    @Option(names = "--threads", order = 33, paramLabel = "N", defaultValue = "" + RtmpConfig.DEFAULT_THREADS,
        description = "Event-loop threads (a Selector each). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--verify", order = 40,
        description = "Exit 1 unless every publisher went live and every player got every frame of its stream from "
            + "its first keyframe on, and (when the server names workers) from its publisher's worker.")
    boolean verify;

    @Option(names = "--probe", order = 41,
        description = "Only check that the server answers an RTMP handshake (exit 0) or not (exit 1, with why).")
    boolean probe;

    @Option(names = "--json", order = 50, paramLabel = "FILE",
        description = "Also write the whole report as JSON: every figure, the full histograms, the timeline, the "
            + "per-stream and per-player breakdown.")
    Path json;

    @Option(names = "--html", order = 51, paramLabel = "FILE",
        description = "Also write a self-contained HTML page: latency percentile curves, rates and failures over time, "
            + "the routing table, the per-stream breakdown.")
    Path html;

    @Option(names = "--progress", order = 52, paramLabel = "MODE", defaultValue = "auto",
        description = "Progress line on stderr each second: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    ProgressMode progress;

    @Override
    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        if (rate != null && !(rate > 0 && !rate.isInfinite()))
        {
            throw new CommandLine.ParameterException(commandLine, "--rate must be > 0, got " + rate);
        }
        if (gop != null && gop < 1)
        {
            throw new CommandLine.ParameterException(commandLine, "--gop must be >= 1, got " + gop);
        }
        final RtmpConfig config;
        try
        {
            config = RtmpConfig.builder(port).host(host).allowRemote(allowRemote).threads(threads).streams(streams)
                .players(players).vhosts(vhosts).app(app).bitrate(bitrate).fps(fps).gop(gop == null ? 0 : gop)
                .duration(duration.toNanos(), TimeUnit.NANOSECONDS).timeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .rate(rate == null ? 0 : rate).verify(verify).build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        if (probe)
        {
            final String why = RtmpProbe.whyNotRtmp(new InetSocketAddress(config.address(), config.port()), PROBE_TIMEOUT_MILLIS);
            out.println(why == null ? "rtmp: " + host + ":" + port + " answers the RTMP handshake" : "not rtmp: " + why);
            out.flush();
            return why == null ? 0 : 1;
        }
        final long maxFds = Execution.maxFileDescriptors();
        if (maxFds > 0 && config.connections() > maxFds - RESERVED_FDS)
        {
            throw new CommandLine.ParameterException(commandLine, "--streams x (--players + 1) = " + config.connections()
                + " connections need more file descriptors than this process may open (" + maxFds + ", less "
                + RESERVED_FDS + " for the JVM); raise the limit (ulimit -n)");
        }
        return run(config, out, err);
    }

    private int run(final RtmpConfig config, final PrintWriter out, final PrintWriter err)
    {
        final boolean rewrite = progress.rewritesInPlace();
        final RtmpProgressPrinter printer = progress == ProgressMode.off ? null : new RtmpProgressPrinter(err, rewrite, config);
        final RtmpRun run = new RtmpRun(config).onProgress(printer == null ? sample -> { } : printer);
        final StopOnInterrupt stop = new StopOnInterrupt(run::requestStop);
        try
        {
            final RtmpReport report;
            try
            {
                report = run.call();
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                err.println("loadgen: interrupted");
                return EXIT_RUN_ERROR;
            }
            finally
            {
                if (printer != null)
                {
                    printer.finish();
                }
            }
            out.print(RtmpSummaryTable.render(report));
            out.flush();
            try
            {
                if (json != null)
                {
                    RtmpJsonReport.write(report, json);
                }
                if (html != null)
                {
                    RtmpHtml.write(report, html);
                }
            }
            catch (final IOException e)
            {
                err.println("loadgen: cannot write the report: " + e);
                return EXIT_RUN_ERROR;
            }
            if (report.engineError() != null)
            {
                err.println("loadgen: engine error: " + report.engineError());
                return EXIT_RUN_ERROR;
            }
            return report.exitCode();
        }
        finally
        {
            stop.close();
        }
    }
}
