package dev.mpserver.master.it;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.master.cli.MpServer;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;

/**
 * A real {@code mpserver} process for a test: started on 127.0.0.1 with a free port, known by pid
 * from its ready line, and always stopped by pid (its workers too) — never by name.
 */
public final class ServerProcess implements AutoCloseable
{
    private static final Pattern READY = Pattern.compile("mpserver ready port=(\\d+) pid=(\\d+) workers=(\\d+)");

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

    public static ServerProcess start(final String... args) throws IOException
    {
        final int given = List.of(args).indexOf("--run-dir");
        final Path dir = given >= 0 ? Path.of(args[given + 1]) : Files.createTempDirectory(Path.of("target"), "mpserver-it-");
        final Path log = dir.resolve("server.log");
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(MpServer.class.getName());
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
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        final CompletableFuture<String> ready = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                String line;
                while ((line = out.readLine()) != null)
                {
                    if (line.startsWith("mpserver ready"))
                    {
                        return line;
                    }
                }
                return null;
            }
            catch (final IOException ex)
            {
                return null;
            }
        });
        final String line;
        try
        {
            line = ready.get(60, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            process.destroyForcibly();
            throw new IllegalStateException("mpserver did not get ready: " + tail(log), ex);
        }
        if (null == line)
        {
            process.destroyForcibly();
            throw new IllegalStateException("mpserver exited before ready: " + tail(log));
        }
        final Matcher m = READY.matcher(line);
        if (!m.find())
        {
            throw new IllegalStateException("bad ready line: " + line);
        }
        final ServerProcess server = new ServerProcess(process, log, dir, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
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

    public String log() throws IOException
    {
        return Files.readString(log);
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
                if (!process.waitFor(15, TimeUnit.SECONDS))
                {
                    Posix.process().kill(pid, Signals.SIGKILL);
                    process.waitFor(5, TimeUnit.SECONDS);
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

    /** Polls {@code condition} until true or the timeout; returns its last value. */
    public static boolean eventually(final long timeoutMillis, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
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
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
        catch (final IOException ex)
        {
            return "(no log)";
        }
    }
}
