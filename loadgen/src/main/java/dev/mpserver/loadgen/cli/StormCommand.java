package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.server.ServerCountersView;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.cli.DurationConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code loadgen storm}: bursts of connections on a ramping connect rate. */
@Command(
    name = "storm",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    headerHeading = "%n",
    header = "A connection storm: bursts of connections on a ramping connect rate (like tcpkali --connect-rate).",
    description = {
        "The connect rate climbs linearly from --start-rate to --connect-rate over --ramp, then stays there; "
            + "connections are released in bursts of --burst. Each connection does what it does in 'run' "
            + "(connect, 'C' + first 'M', the rest of --msgs, optional 'I' and --hold) with its messages back "
            + "to back. This is what floods the server's master with hand-offs and RT signals: on a server started with "
            + "--placement master, every client of a new shard crosses the master; under the default --placement local, "
            + "only clients of shards served by another worker do.",
        "A progress line each second shows the achieved against the target connect rate. With --run-dir, "
            + "the server's counters (RT signals, overflows, rescans, hand-offs; the same files 'mpserver stat' "
            + "reads) are sampled next to it each second and reported at the end.",
        ""
    },
    footerHeading = "%nExit status:%n",
    footer = {
        "  0  the storm finished (with --expect-all: and every connection succeeded)",
        "  1  --expect-all: some connection did not succeed, or --verify found",
        "     wrong routing",
        "  2  bad command line",
        "  3  the run could not be carried out",
        "",
        "Example:",
        "  loadgen storm --port 9000 --conns 20000 --start-rate 500 \\",
        "      --connect-rate 10000 --ramp 5s --burst 50 --verify"
    })
public final class StormCommand implements Callable<Integer>
{
    static final long DEFAULT_STORM_CONNS = 5000;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--conns", order = 10, paramLabel = "N", defaultValue = "" + DEFAULT_STORM_CONNS,
        description = "Connections in the whole storm. Default: ${DEFAULT-VALUE}.")
    long conns;

    @Option(names = "--msgs", order = 11, paramLabel = "N", defaultValue = "1",
        description = "Messages per connection (>= 1). Default: ${DEFAULT-VALUE}.")
    int msgs;

    @Option(names = "--connect-rate", order = 12, paramLabel = "CONN/S", defaultValue = "1000",
        description = "Connect rate after the ramp, connections per second. Default: ${DEFAULT-VALUE}.")
    double connectRate;

    @Option(names = "--start-rate", order = 13, paramLabel = "CONN/S",
        description = "Connect rate at the start of the ramp (0 allowed; ignored with --ramp 0). "
            + "Default: a tenth of --connect-rate.")
    Double startRate;

    @Option(names = "--ramp", order = 14, paramLabel = "TIME", defaultValue = "5s", converter = DurationConverter.class,
        description = "Time from --start-rate to --connect-rate (0 = no ramp). Default: ${DEFAULT-VALUE}.")
    Duration ramp;

    @Option(names = "--burst", order = 15, paramLabel = "N", defaultValue = "1",
        description = "Connections released together: a burst every N/rate seconds. Default: ${DEFAULT-VALUE}.")
    int burst;

    @Option(names = "--run-dir", order = 62, paramLabel = "DIR",
        description = "The server's --run-dir, to sample its counters each second next to the progress line.")
    Path runDir;

    @Override
    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        if (!(connectRate > 0) || Double.isInfinite(connectRate))
        {
            throw new CommandLine.ParameterException(commandLine, "--connect-rate must be > 0, got " + connectRate);
        }
        final double start = startRate == null ? connectRate / 10 : startRate;
        if (!(start >= 0) || Double.isInfinite(start))
        {
            throw new CommandLine.ParameterException(commandLine, "--start-rate must be >= 0, got " + start);
        }
        if (burst < 1)
        {
            throw new CommandLine.ParameterException(commandLine, "--burst must be >= 1, got " + burst);
        }
        if (runDir != null && !Files.isDirectory(runDir))
        {
            throw new CommandLine.ParameterException(commandLine, "--run-dir " + runDir + " is not a directory");
        }
        final ArrivalSchedule arrivals = ArrivalSchedule.ramp(start, connectRate, ramp.toNanos(), burst);
        final LoadConfig config = Execution.build(commandLine, common, () -> common.toBuilder("storm", conns, msgs)
            .arrivals(arrivals)
            .runDir(runDir));
        final ServerCountersView view = ServerCountersView.forRunDir(runDir);
        if (runDir != null && view.snapshot().isEmpty())
        {
            commandLine.getErr().println("loadgen: no server counters readable in " + runDir
                + " (is the server running with this --run-dir?); going on without them");
        }
        return Execution.execute(commandLine, config, common.progress, common.warmUp, common.json, common.html, view);
    }
}
