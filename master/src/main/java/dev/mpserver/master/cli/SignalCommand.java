package dev.mpserver.master.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

import dev.mpserver.master.control.ServerSignal;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.cli.DurationConverter;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.rundir.PidFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mpserver signal stop|quit|reload|reopen}: nginx's {@code -s}. Finds the server through the
 * pid file of its run directory and signals it, after making sure the pid is still an mpserver: a
 * pid file left by a killed server names a pid that may since belong to anything.
 */
@Command(
    name = "signal",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    description = {
        "Signal the running server through the pid file in its run directory (like nginx -s):",
        "  stop    TERM: fast stop (workers get QUIT_NOW, SIGKILL after --grace-period)",
        "  quit    QUIT: graceful stop (workers finish their clients, up to --drain-timeout)",
        "  reload  HUP: a new generation of workers; the old one drains",
        "  reopen  USR1: reopen --log-file in master and workers (after logrotate); log the worker table",
        "A single-process server (--workers 0) knows stop and reopen only."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:signal sent (with --wait: and the server has exited)",
        "2:no run directory or pid file, a stale pid file, a signal the server does not know, not permitted, or --wait ran out"})
public final class SignalCommand implements Callable<Integer>
{
    private static final long POLL_MILLIS = 50;

    @Parameters(index = "0", paramLabel = "SIGNAL", description = "${COMPLETION-CANDIDATES}")
    ServerSignal signal;

    @Mixin
    RunDirOptions server;

    @Option(names = "--wait", arity = "0..1", fallbackValue = "60s", paramLabel = "TIME", converter = DurationConverter.class,
        description = "With stop or quit: wait until the server has exited, at most TIME (default 60s).")
    Duration wait;

    @Override
    public Integer call() throws Exception
    {
        final Path dir = server.existing();
        final long pid = PidFile.read(dir);
        if (pid == PidFile.NONE)
        {
            throw new CommandFailedException("no pid file " + PidFile.in(dir) + ": no server runs with this run directory");
        }
        if (!PidFile.isServer(pid, MpServer.class.getName()))
        {
            throw new CommandFailedException("stale pid file " + PidFile.in(dir) + ": pid " + pid +
                " is not a running mpserver (the server was killed?); nothing was signalled");
        }
        if (!signal.worksInSingleProcessMode() && isSingleProcess(dir, pid))
        {
            throw new CommandFailedException("the server (pid " + pid + ") runs in single-process mode (--workers 0): " +
                "it knows stop and reopen only");
        }
        if (0 != Posix.process().kill((int)pid, signal.signo()))
        {
            final int errno = Posix.errno();
            throw new CommandFailedException(errno == Errno.EPERM
                ? "not permitted to signal pid " + pid + " (run this as the server's user)"
                : "cannot send " + Signals.name(signal.signo()) + " to pid " + pid + ": " + Posix.strerror(errno));
        }
        if (null != wait && signal.stops())
        {
            awaitExit(pid, wait.toMillis());
        }
        return CommandErrors.EXIT_OK;
    }

    /** A multi-process server's master keeps master.counters; a single-process one has none of its own pid. */
    private static boolean isSingleProcess(final Path dir, final long pid)
    {
        try (CountersFileReader master = CountersFileReader.open(dir.resolve(CountersFile.MASTER_FILE)))
        {
            return null == master || master.pid() != pid;
        }
    }

    private static void awaitExit(final long pid, final long timeoutMillis) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (isRunning(pid))
        {
            if (System.nanoTime() > deadline)
            {
                throw new CommandFailedException("pid " + pid + " still runs " + timeoutMillis + " ms after the signal");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Gone, or a zombie its parent has not reaped yet: either way it serves no one. */
    private static boolean isRunning(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            final int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
