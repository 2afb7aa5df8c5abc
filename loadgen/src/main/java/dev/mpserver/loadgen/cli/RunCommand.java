package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.server.ServerCountersView;
import dev.mpserver.protocol.build.BuildVersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code loadgen run}: closed or open loop load with latency histograms. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    headerHeading = "%n",
    header = "Closed- or open-loop load on an mpserver, with latency histograms (the default command).",
    description = {
        "Each connection: TCP connect, 'C' + its shard id together with the first 'M', then the remaining "
            + "--msgs messages ('M' \"client, ping message!\\0\", each answered by \"hello, server ping!\\0\"), "
            + "then (--verify) 'I', then (--hold) wait, then close.",
        "",
        "Closed loop (neither --rate nor --msg-rate): --conns connections start as soon as --concurrency "
            + "allows, and each sends its next message when a reply frees its --pipeline.",
        "Open loop: --rate starts connections on a clock (connection n is due at n/rate s) and --msg-rate "
            + "sends each connection's messages on a clock (message j is due j/msg-rate s after connect). "
            + "Latency is then measured from the intended time, not from when loadgen got round to sending "
            + "(no coordinated omission, as wrk2): a server that stalls for a second shows a second in the "
            + "tail, however few requests went out during the stall. Pacing resolution is about 1 ms; any "
            + "lateness of loadgen itself counts against the server, never in its favour.",
        "",
        "Latencies: connect (connect() → connected), connect from intended start (--rate only), route ('C' and "
            + "first 'M' written → first reply: includes the server's hand-off), message (every 'M' after the "
            + "first → its reply), from the intended send and, with --msg-rate, from the actual send, side by "
            + "side. Percentiles p50 p90 p99 p99.9 max.",
        "Outcomes, one per connection: ok; shed (the server answered 'E', counted by code, not a failure); "
            + "failed (by phase connect/route/message/identify/hold and kind refused/reset/closed/timeout/"
            + "garbage/io-error); cut off (open at --duration); not started.",
        ""
    },
    footerHeading = "%nExit status:%n",
    footer = {
        "  0  the run finished (with --expect-all: and every connection succeeded)",
        "  1  --expect-all: some connection did not succeed, or --verify found",
        "     wrong routing",
        "  2  bad command line",
        "  3  the run could not be carried out (engine error, --json not writable)",
        "",
        "Examples:",
        "  loadgen --port 9000 --conns 1000 --ids zipf:1.1 --verify --expect-all",
        "  loadgen run --port 9000 --rate 2000 --conns 20000 \\",
        "      --msg-rate 50 --msgs 100 --json out.json"
    })
public final class RunCommand implements Callable<Integer>
{
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--conns", order = 10, paramLabel = "N", defaultValue = "" + LoadConfig.DEFAULT_CONNS,
        description = "Connections in the whole run. Default: ${DEFAULT-VALUE}.")
    long conns;

    @Option(names = "--msgs", order = 11, paramLabel = "N", defaultValue = "" + LoadConfig.DEFAULT_MSGS,
        description = "Messages per connection (>= 1; the first one measures routing). Default: ${DEFAULT-VALUE}.")
    int msgs;

    @Option(names = "--rate", order = 12, paramLabel = "CONN/S",
        description = "Open loop: start connections at this rate (connections per second, all threads "
            + "together), whatever the server's speed.")
    Double rate;

    @Option(names = "--msg-rate", order = 13, paramLabel = "MSG/S",
        description = "Open loop: messages per second PER CONNECTION (the total is this times the connections "
            + "open). A message that is due while --pipeline messages are in flight waits, and the wait counts "
            + "in its latency.")
    Double msgRate;

    @Override
    public Integer call()
    {
        final CommandLine commandLine = spec.commandLine();
        if (rate != null && !(rate > 0 && !rate.isInfinite()))
        {
            throw new CommandLine.ParameterException(commandLine, "--rate must be > 0, got " + rate);
        }
        if (msgRate != null && !(msgRate > 0 && !msgRate.isInfinite()))
        {
            throw new CommandLine.ParameterException(commandLine, "--msg-rate must be > 0, got " + msgRate);
        }
        final LoadConfig config = Execution.build(commandLine, common, () -> common.toBuilder("run", conns, msgs)
            .arrivals(rate == null ? ArrivalSchedule.asSoonAsPossible() : ArrivalSchedule.constantRate(rate))
            .msgRate(msgRate == null ? 0 : msgRate));
        return Execution.execute(commandLine, config, common.progress, common.warmUp, common.json, common.html, ServerCountersView.NONE);
    }
}
