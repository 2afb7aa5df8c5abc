package dev.mpserver.loadgen;

import dev.mpserver.loadgen.cli.RtmpCommand;
import dev.mpserver.loadgen.cli.RunCommand;
import dev.mpserver.loadgen.cli.StormCommand;
import dev.mpserver.protocol.build.BuildVersionProvider;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
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
    versionProvider = BuildVersionProvider.class,
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
    /** The run could not be carried out: what the commands' help calls status 3. */
    private static final int RUN_ERROR = 3;
    private static final Logger LOG = LogManager.getLogger(LoadGen.class);

    public static void main(final String[] args)
    {
        int code;
        try
        {
            code = execute(args);
        }
        catch (final Error | RuntimeException ex)
        {
            System.err.println("loadgen: " + describe(ex));
            LOG.debug("the failure's stack trace", ex);
            code = RUN_ERROR;
        }
        System.exit(code);
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
            .setParameterExceptionHandler(LoadGen::shortUsageError)
            .setExecutionExceptionHandler(LoadGen::runError);
    }

    /** A usage error in one line: what is wrong, and where to read more (not the whole help). */
    private static int shortUsageError(final CommandLine.ParameterException e, final String[] args)
    {
        final CommandLine commandLine = e.getCommandLine();
        final PrintWriter err = commandLine.getErr();
        final String name = commandLine.getCommandSpec().qualifiedName();
        err.println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
        err.flush();
        return commandLine.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Anything a command throws: one line, status 3; the stack trace at debug level (-Dloadgen.log.level=debug). */
    private static int runError(final Exception e, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(e));
        commandLine.getErr().flush();
        LOG.debug("the failure's stack trace", e);
        return RUN_ERROR;
    }

    private static String describe(final Throwable e)
    {
        return null == e.getMessage() ? e.getClass().getName() : e.getClass().getSimpleName() + ": " + oneLine(e.getMessage());
    }

    private static String oneLine(final String text)
    {
        return null == text ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
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
