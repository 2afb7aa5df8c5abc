package dev.mpserver.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.MainClasses;
import dev.mpserver.protocol.launch.ReadyLine;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;

/**
 * A real {@code mpserver} process for a test: started on 127.0.0.1 with a free port, from the test's
 * own class path (the module's tests must have the master on it), known by pid from its ready line,
 * and always stopped by pid (its workers too) — never by name.
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final long STOP_TIMEOUT_SECONDS = 15;
    private static final long KILL_TIMEOUT_SECONDS = 5;
    private static final int LOG_TAIL_LINES = 30;

    private final Process process;
    private final Path log;
    private final Path runDir;
    private final int port;
    private final int pid;
    private final List<Long> everSeenWorkers = new ArrayList<>();

    private ServerProcess(final Process process, final Path log, final Path runDir, final int port, final int pid)
    {
        this.process = process;
        this.log = log;
        this.runDir = runDir;
        this.port = port;
        this.pid = pid;
    }

    /**
     * mpserver with {@code args}, and {@code --standby 0} unless they name {@code --standby}: the
     * tests count, kill and stop workers, and a standby that starts 5 s after the pool is warm (the
     * built-in default) would make those counts depend on how long a test ran. The tests of
     * standbys pass {@code --standby}, or start the server {@link #startOnDefaults on defaults}.
     */
    public static ServerProcess start(final String... args) throws IOException
    {
        if (List.of(args).contains("--standby"))
        {
            return startOnDefaults(args);
        }
        final String[] pinned = Arrays.copyOf(args, args.length + 2);
        pinned[args.length] = "--standby";
        pinned[args.length + 1] = "0";
        return startOnDefaults(pinned);
    }

    /** mpserver with {@code args} and nothing else but a loopback address, a free port and a run directory. */
    public static ServerProcess startOnDefaults(final String... args) throws IOException
    {
        final int given = List.of(args).indexOf("--run-dir");
        final Path dir = given >= 0 ? Path.of(args[given + 1]) : Files.createTempDirectory(Path.of("target"), "mpserver-it-");
        final Path log = dir.resolve("server.log");
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MainClasses.MPSERVER);
        command.add("--host");
        command.add("127.0.0.1");
        command.add("--port");
        command.add("0");
        if (given < 0)
        {
            command.add("--run-dir");
            command.add(dir.toAbsolutePath().toString());
        }
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command)
            .redirectError(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final ReadyLine ready;
        try
        {
            ready = ReadyLine.await(process, READY_TIMEOUT);
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
            throw new IllegalStateException("mpserver did not get ready (" + ex.getMessage() + "): " + tail(log), ex);
        }
        final ServerProcess server = new ServerProcess(process, log, dir, ready.port(), (int)ready.pid());
        if (server.pid != process.pid())
        {
            throw new IllegalStateException("ready line pid " + server.pid + " is not the process " + process.pid());
        }
        server.rememberWorkers();
        return server;
    }

    public int port()
    {
        return port;
    }

    public int pid()
    {
        return pid;
    }

    public Path runDir()
    {
        return runDir;
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** Current worker pids (children of the master). */
    public List<Long> workerPids()
    {
        return rememberWorkers();
    }

    /** The server's counters now, read from its run directory as {@code mpserver stat} reads them (live values). */
    public RunDirCounters counters()
    {
        try
        {
            return RunDirCounters.read(runDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the counters in " + runDir, ex);
        }
    }

    /**
     * Counter {@code counter} of the worker {@code workerPid}, from its counters file now, or -1 if
     * it has none.
     *
     * @throws UncheckedIOException if the run directory cannot be read
     */
    public long workerCounter(final long workerPid, final WorkerCounter counter)
    {
        for (final RunDirCounters.Process worker : counters().workers())
        {
            if (worker.pid() == workerPid)
            {
                return worker.value(counter);
            }
        }
        return -1;
    }

    public int fdCount()
    {
        return Posix.openFdCount(pid);
    }

    public void signal(final int signo)
    {
        Posix.checked("kill", Posix.process().kill(pid, signo));
    }

    /** @return exit code, or throws if the process outlives the timeout. */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            throw new AssertionError("mpserver " + pid + " still running after " + timeout + " " + unit + ": " + tail(log));
        }
        return process.exitValue();
    }

    /** Everything master and workers logged so far (their stderr). */
    public String log() throws IOException
    {
        return Files.readString(log);
    }

    /** Whether the log holds {@code text} yet: for {@link Eventually#eventually} (a log not readable yet holds nothing). */
    public boolean logContains(final String text)
    {
        try
        {
            return log().contains(text);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Whether one line of the log holds every one of {@code parts} yet (a log not readable yet holds nothing). */
    public boolean logHasLine(final String... parts)
    {
        try
        {
            return log().lines().anyMatch(line -> Arrays.stream(parts).allMatch(line::contains));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** Every worker pid ever seen that still exists: must be empty after the master stopped. */
    public List<Long> survivingWorkers()
    {
        final List<Long> alive = new ArrayList<>();
        for (final long worker : everSeenWorkers)
        {
            if (ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false) && !isZombie(worker))
            {
                alive.add(worker);
            }
        }
        return alive;
    }

    /** Stops the master by pid (TERM, then KILL), and kills any worker of it that is left. */
    @Override
    public void close()
    {
        rememberWorkers();
        if (process.isAlive())
        {
            Posix.process().kill(pid, Signals.SIGTERM);
            try
            {
                if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    Posix.process().kill(pid, Signals.SIGKILL);
                    process.waitFor(KILL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                Posix.process().kill(pid, Signals.SIGKILL);
                Thread.currentThread().interrupt();
            }
        }
        for (final long worker : survivingWorkers())
        {
            Posix.process().kill((int)worker, Signals.SIGKILL);
        }
    }

    private List<Long> rememberWorkers()
    {
        final List<Long> now = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> now.add(c.pid())));
        for (final long worker : now)
        {
            if (!everSeenWorkers.contains(worker))
            {
                everSeenWorkers.add(worker);
            }
        }
        return now;
    }

    /**
     * A zombie whose other threads are gone too. A JVM's main thread can be a zombie while
     * another thread is still exiting, and until the last one has, the process's fds (the
     * listener among them) are still open: measured 20-30 ms after kill -9 of the master.
     */
    private static boolean isZombie(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            final String[] threads = Path.of("/proc/" + pid + "/task").toFile().list();
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z") && (null == threads || threads.length <= 1);
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    private static String tail(final Path log)
    {
        try
        {
            final List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log)";
        }
    }
}
