package dev.mpserver.master.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

import dev.mpserver.master.stat.StatFormat;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.posix.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver stat}: an outside, read-only view of a running (or stopped) server's counters,
 * in the spirit of AeronStat. It maps the counters files under the run directory and never
 * signals, locks or writes anything there, so it can be run as often as wanted during a storm.
 * How a snapshot is printed is {@link StatFormat}'s business.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    description = {
        "Show the counters of a running or stopped mpserver, read from its run directory without disturbing it: master counters, worker totals (live workers plus those that exited) and each live worker, then a diagnosis of signal storms and overload in plain words.",
        "For monitoring: --format openmetrics (OpenMetrics text) or --format prometheus (the Prometheus text format node_exporter's textfile collector reads), with --output to replace a file atomically at each refresh."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:counters shown", "2:no run directory or no counters in it, bad options, or --output not writable"})
public final class StatCommand implements Callable<Integer>
{
    private static final long MIN_WATCH_MILLIS = 100;

    @Spec
    CommandSpec spec;

    @Mixin
    RunDirOptions server;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "1", paramLabel = "SECONDS",
        description = "Refresh every SECONDS (default 1) until interrupted.")
    Double watchSeconds;

    @Option(names = "--count", defaultValue = "0", description = "With --watch: stop after this many refreshes (0 = never).")
    int count;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
        description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    StatFormat format;

    @Option(names = "--json", description = "The same as --format json (one JSON object per refresh).")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE",
        description = "Write each refresh to FILE instead of stdout, replacing it in one rename (a reader never sees half a file).")
    Path output;

    @Override
    public Integer call() throws Exception
    {
        final StatFormat chosen = json ? StatFormat.json : format;
        if (null != watchSeconds && !(watchSeconds > 0))
        {
            throw new CommandFailedException("--watch must be a positive number of seconds, got " + watchSeconds);
        }
        final Path dir = server.existing();
        final PrintWriter out = spec.commandLine().getOut();
        final boolean clearScreen = null != watchSeconds && null == output && chosen.isForPeople() && Terminal.isTerminal(Terminal.STDOUT);
        int rounds = 0;
        while (true)
        {
            final RunDirCounters counters = RunDirCounters.read(dir);
            if (counters.isEmpty() && counters.problems().isEmpty())
            {
                throw new CommandFailedException("no counters files in " + dir);
            }
            final String text = chosen.render(counters);
            if (null != output)
            {
                replace(output, text);
            }
            else
            {
                out.print(clearScreen ? "\033[H\033[2J" + text : text);
                out.flush();
            }
            rounds++;
            if (null == watchSeconds || (count > 0 && rounds >= count))
            {
                return 0;
            }
            Thread.sleep(Math.max(MIN_WATCH_MILLIS, (long)(watchSeconds * 1000)));
        }
    }

    /** Writes {@code text} next to {@code file} and renames it over: node_exporter reads whole files only. */
    private static void replace(final Path file, final String text)
    {
        final Path absolute = file.toAbsolutePath();
        final Path partial = absolute.resolveSibling("." + absolute.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try
        {
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(partial);
            }
            catch (final IOException ignored)
            {
                // the write failed already; that is what is reported
            }
            throw new CommandFailedException("cannot write --output " + absolute + ": " + CommandErrors.describe(ex));
        }
    }
}
