package dev.mpserver.worker;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.launch.WorkerLaunch;
import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.worker.loop.WorkerLoop;
import org.apache.logging.log4j.LogManager;

/**
 * A worker process, as the master starts it: channel on fd 3, listening socket on fd 4, and its
 * {@link WorkerConfig} as argv. Not meant to be run by hand; {@code mpserver --workers 0} runs the
 * same loop in a single process.
 *
 * <p>Why no option parser: the argv is the master's {@link WorkerConfig#toArguments}, written by a
 * program from options its own (picocli) command line already validated. Building picocli's model
 * cost as much of every spawn-to-READY as the rest of the worker's start-up together (its classes
 * are Java 5 bytecode, which JDK 17's class-data sharing cannot archive). What is left before READY
 * is the JVM itself and the JNR binding of {@code LibC} (runtime class generation); logging is set
 * up after READY ({@code WorkerLog}). The figures are in docs/benchmarks.md ("Figures the code's
 * comments cite").
 */
public final class WorkerMain
{
    static final String ARG_CHANNEL_FD = "--channel-fd";
    static final String ARG_LISTEN_FD = "--listen-fd";

    private static final String USAGE = String.join(System.lineSeparator(),
        "Usage: mpserver-worker [--slot N --max-clients N --idle-timeout-ms MS --output-cap BYTES --drain-timeout-ms MS]",
        "                       [--run-dir DIR] [--channel-fd FD] [--listen-fd FD]",
        "An mpserver worker: serves clients accepted on the shared listener (fd 4) and clients the master",
        "hands over on the channel (fd 3). Started by the master (see: mpserver --help), which passes every",
        "argument; exits when the master's channel closes. Exit status 2: a fatal configuration error (the",
        "master will not respawn it).");

    private WorkerMain()
    {
    }

    /** @return the worker's exit status */
    static int run(final List<String> args)
    {
        WorkerLogFormat.apply(ProcessHandle.current().pid());
        final Map<String, String> fds = new HashMap<>();
        final WorkerConfig config;
        final int channelFd;
        final int listenFd;
        try
        {
            config = WorkerConfig.fromArguments(args, fds);
            channelFd = fd(fds.remove(ARG_CHANNEL_FD), WorkerLaunch.CHANNEL_FD, ARG_CHANNEL_FD);
            listenFd = fd(fds.remove(ARG_LISTEN_FD), WorkerLaunch.LISTEN_FD, ARG_LISTEN_FD);
            if (!fds.isEmpty())
            {
                throw new IllegalArgumentException("unknown argument " + fds.keySet().iterator().next());
            }
            requireSocket(channelFd, "channel");
            requireSocket(listenFd, "listening socket");
        }
        catch (final IllegalArgumentException ex)
        {
            LogManager.getLogger(WorkerMain.class).error("worker: fatal configuration error: {} (argv: {})", ex.getMessage(), args);
            return WorkerLaunch.EXIT_FATAL_CONFIG;
        }
        return new WorkerLoop(config, listenFd, channelFd).run();
    }

    private static int fd(final String text, final int defaultFd, final String name)
    {
        try
        {
            return null == text ? defaultFd : Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("argument " + name + " is not an fd number: '" + text + "'");
        }
    }

    private static void requireSocket(final int fd, final String what)
    {
        final FileStat stat;
        try
        {
            stat = new FileStat().of(fd);
        }
        catch (final PosixException ex)
        {
            throw new IllegalArgumentException(what + " fd " + fd + " is not open: " + ex.getMessage());
        }
        if (!stat.isSocket())
        {
            throw new IllegalArgumentException(what + " fd " + fd + " is not a socket");
        }
    }

    public static void main(final String[] args)
    {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h"))
        {
            System.out.println(USAGE);
            System.exit(0);
        }
        final int code = run(List.of(args));
        LogManager.shutdown();
        System.exit(code);
    }
}
