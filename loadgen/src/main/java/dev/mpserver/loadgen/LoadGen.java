package dev.mpserver.loadgen;

import dev.mpserver.loadgen.cli.RtmpCommand;
import dev.mpserver.loadgen.cli.RunCommand;
import dev.mpserver.loadgen.cli.StormCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Set;

/**
 * The {@code loadgen} command. {@code run} is the default subcommand: {@code loadgen --port 9000} is
 * {@code loadgen run --port 9000}. For use from tests without a process, see
 * {@link dev.mpserver.loadgen.engine.LoadGenRun}.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    version = "mpserver loadgen 0.1",
    subcommands = {RunCommand.class, StormCommand.class, RtmpCommand.class, CommandLine.HelpCommand.class},
    headerHeading = "%n",
    header = "Load generator for mpserver: open- and closed-loop load, latency histograms, routing "
        + "verification, connection storms, RTMP publishers and players.",
    synopsisHeading = "%nUsage: ",
    customSynopsis = {
        "loadgen [run] --port PORT [OPTIONS]     (see: loadgen run --help)",
        "       loadgen storm --port PORT [OPTIONS]   (see: loadgen storm --help)",
        "       loadgen rtmp --port PORT [OPTIONS]    (see: loadgen rtmp --help)"
    },
    description = {
        "",
        "One process, a few event-loop threads (--threads), no thread per connection and no allocation per "
            + "message. Bounded in count (--conns, --msgs) and time (--duration hard stop, --timeout per "
            + "connection without progress): it always stops by itself.",
        "Output: a progress line each second on stderr, a summary table on stdout at the end, and with "
            + "--json FILE every figure (percentiles, full HdrHistograms, per-second timeline).",
        "Loopback only unless --allow-remote.",
        ""
    },
    commandListHeading = "%nCommands:%n")
public final class LoadGen implements java.util.concurrent.Callable<Integer>
{
    private static final Set<String> TOP_LEVEL_WORDS = Set.of("run", "storm", "rtmp", "help", "-h", "--help", "-V", "--version");

    private static final int USAGE_ERROR = 2;

    public static void main(final String[] args)
    {
        System.exit(execute(args));
    }

    /** Run the command line as {@code main} would, without exiting. */
    public static int execute(final String... args)
    {
        return commandLine().execute(withDefaultCommand(args));
    }

    /** Run with the given output streams (tests). */
    public static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final CommandLine commandLine = commandLine();
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(withDefaultCommand(args));
    }

    public static CommandLine commandLine()
    {
        return new CommandLine(new LoadGen())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(LoadGen::shortUsageError);
    }

    /** A usage error in two lines (what is wrong, where to read more) rather than the whole help. */
    private static int shortUsageError(final CommandLine.ParameterException e, final String[] args)
    {
        final CommandLine commandLine = e.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        err.println("loadgen: " + e.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err))
        {
            err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help'.");
        }
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** {@code run} is implied when the first argument is not a command or a top-level option. */
    static String[] withDefaultCommand(final String[] args)
    {
        if (args.length > 0 && TOP_LEVEL_WORDS.contains(args[0]))
        {
            return args;
        }
        if (args.length == 0)
        {
            return args;
        }
        final String[] withRun = new String[args.length + 1];
        withRun[0] = "run";
        System.arraycopy(args, 0, withRun, 1, args.length);
        return withRun;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command or options: show the usage, it is a command-line error. */
    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE_ERROR;
    }
}
