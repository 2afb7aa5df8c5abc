package dev.mpserver.worker;

import java.util.concurrent.Callable;

import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.worker.cli.WorkerOptions;
import dev.mpserver.worker.loop.WorkerConfig;
import dev.mpserver.worker.loop.WorkerLoop;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A worker process, as the master starts it: channel on fd 3, listening socket on fd 4. Not meant
 * to be run by hand; {@code mpserver --workers 0} runs the same loop in a single process.
 */
@Command(
    name = "mpserver-worker",
    mixinStandardHelpOptions = true,
    description = {
        "An mpserver worker: serves clients accepted on the shared listener (fd 4) and clients the master hands over on the channel (fd 3). Started by the master; exits when the master's channel closes. Exit status 2 means a fatal configuration error (the master will not respawn it)."})
public final class WorkerMain implements Callable<Integer>
{
    public static final int EXIT_FATAL_CONFIG = 2;
    public static final int CHANNEL_FD = 3;
    public static final int LISTEN_FD = 4;

    @Option(names = "--slot", description = "This worker's slot number in the master (reported by 'I').", defaultValue = "0")
    int slot;

    @Mixin
    WorkerOptions worker;

    @Option(names = "--run-dir", description = "Directory for this worker's counters file (none if not given).")
    java.nio.file.Path runDir;

    @Option(names = "--channel-fd", defaultValue = "" + CHANNEL_FD, description = "Channel fd (default ${DEFAULT-VALUE}).")
    int channelFd;

    @Option(names = "--listen-fd", defaultValue = "" + LISTEN_FD, description = "Listening socket fd (default ${DEFAULT-VALUE}).")
    int listenFd;

    @Override
    public Integer call()
    {
        final WorkerConfig config;
        try
        {
            requireSocket(channelFd, "channel");
            requireSocket(listenFd, "listening socket");
            config = worker.toConfig(slot, runDir);
        }
        catch (final IllegalArgumentException | PosixException ex)
        {
            LogManager.getLogger(WorkerMain.class).error("worker slot {}: fatal configuration error: {}", slot, ex.getMessage());
            return EXIT_FATAL_CONFIG;
        }
        return new WorkerLoop(config, listenFd, channelFd).run();
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

    private static void startInBackground(final String name, final Runnable setUp)
    {
        final Thread thread = new Thread(setUp, name);
        thread.setDaemon(true);
        thread.start();
    }

    public static void main(final String[] args)
    {
        // A worker's start-up is mostly two independent set-ups of 100-200 ms of class loading
        // each: the JNR binding of libc, and the logging back end with picocli's model of the
        // options. The first runs on the other core. Whoever touches Posix first waits for it on
        // the class-initialisation lock, so nothing is used half-initialised.
        startInBackground("native-init", () -> Posix.LIBC.getpid());
        LogManager.getLogger(WorkerMain.class);

        final CommandLine cli = new CommandLine(new WorkerMain());
        cli.setParameterExceptionHandler((ex, a) ->
        {
            cli.getErr().println(ex.getMessage());
            return EXIT_FATAL_CONFIG;
        });
        final int code = cli.execute(args);
        LogManager.shutdown();
        System.exit(code);
    }
}
