package dev.mpserver.loadgen.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.launch.MainClasses;
import dev.mpserver.protocol.launch.ReadyLine;
import dev.mpserver.protocol.rundir.RunDirectory;

/**
 * A server process started for one benchmark case, on 127.0.0.1 and a free port, with a directory
 * of its own in the work directory (its stderr in {@code server.log}) and, for mpserver, a run
 * directory of its own, in memory where there is such a place, as a default one is
 * ({@link RunDirectory}: the counters and shard table are memory-mapped; removed when the server
 * stops). Stopped by pid (TERM, then KILL, then KILL of any process it left behind). mpserver from
 * the built {@code master/target/lib} on a chosen JVM, or a native peer: the C epoll server or the
 * prototype.
 */
final class ServerUnderTest implements BenchedServer
{
    /** The master's log line when a worker reports READY (the master's Supervisor writes it). */
    private static final Pattern WORKER_READY = Pattern.compile("worker \\d+ \\(slot \\d+\\) ready in \\d+ ms");
    /** The master's log lines for a standby (--standby): started, warm (as any worker), promoted. */
    private static final Pattern STANDBY_SPAWNED = Pattern.compile("spawned standby (\\d+) in slot");
    private static final Pattern WORKER_WARM = Pattern.compile("worker (\\d+) \\(slot \\d+\\) warm in");
    private static final Pattern STANDBY_PROMOTED = Pattern.compile("standby (\\d+) \\(slot \\d+\\) promoted");
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 15;
    private static final long POLL_MILLIS = 20;

    private final Process process;
    private final Path dir;
    private final Path runDir;
    private final int port;
    private final long pid;

    private ServerUnderTest(final Process process, final Path dir, final Path runDir, final int port, final long pid)
    {
        this.process = process;
        this.dir = dir;
        this.runDir = runDir;
        this.port = port;
        this.pid = pid;
    }

    /** mpserver on the given JVM, with {@code args} after --host, --port and --run-dir, then the variant's own options. */
    static ServerUnderTest start(final Path repo, final Path workDir, final ServerJava java, final String... args)
        throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(workDir, "mpserver-");
        final Path runDir = runDirFor(dir);
        final List<String> command = new ArrayList<>(java.command());
        command.add(1, "-XX:TieredStopAtLevel=1"); // as the launchers run it; a --java option after it wins
        command.addAll(List.of("-cp", repo.resolve("master/target/lib").toAbsolutePath() + File.separator + "*",
            MainClasses.MPSERVER, "--host", "127.0.0.1", "--port", "0", "--run-dir", runDir.toString()));
        command.addAll(List.of(args));
        command.addAll(java.serverOptions());
        return startWithReadyLine(command, dir, runDir);
    }

    /** A new directory in memory where a default run directory would be, else {@code dir} itself. */
    private static Path runDirFor(final Path dir) throws IOException
    {
        final Optional<Path> base = RunDirectory.inMemoryBase();
        return base.isPresent() ? Files.createTempDirectory(base.get(), "mpserver-bench-") : dir;
    }

    /** Where mpserver's run directories go ({@link #start}): in memory where there is such a place, else in the work directory. */
    static Path runDirsUnder(final Path workDir)
    {
        return RunDirectory.inMemoryBase().orElse(workDir);
    }

    /** The C epoll server: a binary that takes a port and prints the same ready line. */
    static ServerUnderTest startReference(final Path binary, final Path workDir) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(workDir, "c-server-");
        return startWithReadyLine(List.of(binary.toString(), "0"), dir, dir);
    }

    /**
     * The prototype: it takes a port but prints no ready line, and logs every event on stdout (sent
     * to /dev/null). So: a free port picked here, then connects until one succeeds.
     */
    static ServerUnderTest startPrototype(final Path binary, final int workers, final Path workDir)
        throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(workDir, "prototype-");
        final int port;
        try (ServerSocket probe = new ServerSocket())
        {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = probe.getLocalPort();
        }
        final Process process = new ProcessBuilder(binary.toString(), Integer.toString(port), Integer.toString(workers))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(dir.resolve("server.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (process.isAlive() && System.nanoTime() < deadline)
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
                // Listening; its workers are forked right after listen(): give them a moment.
                Thread.sleep(200);
                return new ServerUnderTest(process, dir, dir, port, process.pid());
            }
            catch (final IOException notYet)
            {
                Thread.sleep(POLL_MILLIS);
            }
        }
        process.destroyForcibly();
        throw new IOException(binary + " did not start; see " + dir.resolve("server.log"));
    }

    private static ServerUnderTest startWithReadyLine(final List<String> command, final Path dir, final Path runDir) throws IOException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command)
                .redirectError(dir.resolve("server.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        }
        catch (final IOException ex)
        {
            deleteRunDir(dir, runDir);
            throw ex;
        }
        try
        {
            final ReadyLine ready = ReadyLine.await(process, Duration.ofSeconds(START_TIMEOUT_SECONDS));
            return new ServerUnderTest(process, dir, runDir, ready.port(), ready.pid());
        }
        catch (final IOException ex)
        {
            process.destroyForcibly();
            deleteRunDir(dir, runDir);
            throw new IOException(command.get(0) + " did not start (" + ex.getMessage() + "); see " + dir.resolve("server.log"), ex);
        }
    }

    /** @return the process's exit status if it has exited (a server that died under load), else -1 */
    int exitStatus()
    {
        return process.isAlive() ? -1 : process.exitValue();
    }

    @Override
    public int port()
    {
        return port;
    }

    long pid()
    {
        return pid;
    }

    Path runDir()
    {
        return runDir;
    }

    /** The server's counters files now (mpserver only; empty for the native peers). */
    RunDirCounters counters() throws IOException
    {
        return RunDirCounters.read(runDir);
    }

    @Override
    public List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        pids.add(pid);
        pids.addAll(workerPids());
        return pids;
    }

    List<Long> workerPids()
    {
        final List<Long> pids = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> pids.add(c.pid())));
        return pids;
    }

    /** Workers that reported READY since the start (the master's log lines). */
    int readyWorkers() throws IOException
    {
        return count(WORKER_READY);
    }

    /** @return true once {@code count} workers reported READY in all, false if not within the timeout. */
    boolean awaitReadyWorkers(final int count, final long timeoutMillis) throws IOException, InterruptedException
    {
        return awaitAtLeast(() -> count(WORKER_READY), count, timeoutMillis);
    }

    /** @return true once the master has started {@code count} standbys in all, false if not within the timeout. */
    boolean awaitStandbysStarted(final int count, final long timeoutMillis) throws IOException, InterruptedException
    {
        return awaitAtLeast(() -> count(STANDBY_SPAWNED), count, timeoutMillis);
    }

    /** @return true once the master has promoted {@code count} standbys in all, false if not within the timeout. */
    boolean awaitPromotions(final int count, final long timeoutMillis) throws IOException, InterruptedException
    {
        return awaitAtLeast(() -> count(STANDBY_PROMOTED), count, timeoutMillis);
    }

    /** Lines of the master's log that {@code line} matches. */
    private int count(final Pattern line) throws IOException
    {
        int count = 0;
        for (final String each : logLines())
        {
            if (line.matcher(each).find())
            {
                count++;
            }
        }
        return count;
    }

    /** Something counted in the master's log. */
    @FunctionalInterface
    private interface LogCount
    {
        int count() throws IOException;
    }

    /** @return true once {@code what} counts {@code count} or more, false if not within the timeout */
    private static boolean awaitAtLeast(final LogCount what, final int count, final long timeoutMillis)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (what.count() < count)
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    /** Standbys the master started and has not promoted (its log lines), warm or all. */
    private Set<Long> standbys(final boolean warmOnly) throws IOException
    {
        final Set<Long> standbys = new HashSet<>();
        final Set<Long> warm = new HashSet<>();
        for (final String line : logLines())
        {
            Matcher m = STANDBY_SPAWNED.matcher(line);
            if (m.find())
            {
                standbys.add(Long.parseLong(m.group(1)));
            }
            m = STANDBY_PROMOTED.matcher(line);
            if (m.find())
            {
                standbys.remove(Long.parseLong(m.group(1)));
            }
            m = WORKER_WARM.matcher(line);
            if (m.find())
            {
                warm.add(Long.parseLong(m.group(1)));
            }
        }
        if (warmOnly)
        {
            standbys.retainAll(warm);
        }
        return standbys;
    }

    /** @return true once {@code count} standbys (not promoted) are warm and waiting, false if not within the timeout. */
    boolean awaitWarmStandbys(final int count, final long timeoutMillis) throws IOException, InterruptedException
    {
        return awaitAtLeast(() -> standbys(true).size(), count, timeoutMillis);
    }

    private List<String> logLines() throws IOException
    {
        final Path log = dir.resolve("server.log");
        return Files.isRegularFile(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
    }

    /** SIGHUP to the master (by pid): a new generation of workers, the old one drains. */
    void reload() throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -HUP " + pid + " failed");
        }
    }

    /** SIGKILL to one worker that serves, not a standby (by pid); returns its pid, or -1 if there is none. */
    long killOneWorker() throws IOException
    {
        final List<Long> workers = workerPids();
        workers.removeAll(standbys(false));
        if (workers.isEmpty())
        {
            return -1;
        }
        ProcessHandle.of(workers.get(0)).ifPresent(ProcessHandle::destroyForcibly);
        return workers.get(0);
    }

    /** Resident set size in KiB from /proc/<pid>/status, or -1. */
    static long rssKib(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws InterruptedException
    {
        final List<ProcessHandle> started = ProcessHandle.of(pid).map(p -> p.descendants().collect(Collectors.toList()))
            .orElse(List.of());
        if (process.isAlive())
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM, by pid
            if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        // Workers end when their master does; one that has not within a few seconds is killed by pid.
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (final ProcessHandle child : started)
        {
            while (child.isAlive() && System.nanoTime() < deadline)
            {
                Thread.sleep(POLL_MILLIS);
            }
            if (child.isAlive())
            {
                child.destroyForcibly();
            }
        }
        deleteRunDir(dir, runDir);
    }

    /** A run directory of its own (in memory) goes with the server; its log stays in the work directory. */
    private static void deleteRunDir(final Path dir, final Path runDir)
    {
        if (runDir.equals(dir))
        {
            return;
        }
        DirectoryTree.deleteOrSay(runDir, "bench");
    }
}
