package dev.mpserver.loadgen.multihost;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.launch.MainClasses;
import dev.mpserver.protocol.launch.ReadyLine;

/**
 * One mpserver host: a master (and its workers) in a {@link NetnsHost}, listening on the
 * namespace's address. Known by pid, stopped by pid. It can be lost as a machine is lost
 * ({@link #kill}: SIGKILL to the master and every worker at once) and started again on the same
 * address and port ({@link #restart}).
 */
public final class NamespacedServer implements AutoCloseable
{
    private static final long READY_TIMEOUT_SECONDS = 90;
    private static final long STOP_TIMEOUT_SECONDS = 15;

    private final NetnsHost host;
    private final String classPath;
    private final Path runDir;
    private final List<String> options;
    /** Every pid this host's processes ever had: its masters and their workers. */
    private final Set<Long> knownPids = new LinkedHashSet<>();
    private Process master;
    private int port;

    private NamespacedServer(final NetnsHost host, final String classPath, final Path runDir, final List<String> options)
    {
        this.host = host;
        this.classPath = classPath;
        this.runDir = runDir;
        this.options = List.copyOf(options);
    }

    /**
     * Starts mpserver in {@code host} on a port the kernel picks; {@link #awaitReady} waits for it.
     *
     * @param classPath mpserver's class path ({@code master/target/lib/*}, or a test's own).
     * @param options   more mpserver options ({@code --workers 2}, ...).
     */
    static NamespacedServer start(final NetnsHost host, final String classPath, final Path runDir, final List<String> options)
        throws IOException
    {
        final NamespacedServer server = new NamespacedServer(host, classPath, runDir, options);
        Files.createDirectories(runDir);
        server.launch(0);
        return server;
    }

    private void launch(final int listenPort) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-XX:+UseSerialGC",
            "-cp", classPath, MainClasses.MPSERVER,
            "--host", host.address(), "--port", Integer.toString(listenPort), "--run-dir", runDir.toString()));
        command.addAll(options);
        master = new ProcessBuilder(host.inside(command))
            .redirectError(ProcessBuilder.Redirect.appendTo(runDir.resolve("server.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        knownPids.add(master.pid());
    }

    /** Waits for the ready line; the master's pid is the launched process's ({@code ip netns exec} and the re-exec keep it). */
    void awaitReady() throws IOException
    {
        final ReadyLine ready;
        try
        {
            ready = ReadyLine.await(master, Duration.ofSeconds(READY_TIMEOUT_SECONDS));
        }
        catch (final IOException ex)
        {
            master.destroyForcibly();
            throw new IOException(host + ": mpserver did not get ready (" + ex.getMessage() + "); see " + runDir.resolve("server.log"), ex);
        }
        if (ready.pid() != master.pid())
        {
            throw new IOException(host + ": ready line names pid " + ready.pid() + ", not " + master.pid());
        }
        port = ready.port();
        workerPids();
    }

    public NetnsHost host()
    {
        return host;
    }

    public String address()
    {
        return host.address();
    }

    public int port()
    {
        return port;
    }

    public Path runDir()
    {
        return runDir;
    }

    public long masterPid()
    {
        return master.pid();
    }

    public boolean isRunning()
    {
        return master.isAlive();
    }

    /** The master's workers now (its children); each is remembered in {@link #knownPids}. */
    public List<Long> workerPids()
    {
        final List<Long> pids = new ArrayList<>();
        ProcessHandle.of(master.pid()).ifPresent(p -> p.children().forEach(c -> pids.add(c.pid())));
        knownPids.addAll(pids);
        return pids;
    }

    /** Every pid this host ever had (masters and workers): an 'I' reply's pid names its host. */
    public Set<Long> knownPids()
    {
        workerPids();
        return Set.copyOf(knownPids);
    }

    /** The host is lost: SIGKILL to the master and all its workers at once, then wait until none is left. */
    public void kill() throws IOException
    {
        final List<Long> pids = new ArrayList<>(workerPids());
        pids.add(0, master.pid());
        for (final long pid : pids)
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        awaitGone(pids);
    }

    /** Starts mpserver again on the same address, port and run directory, and waits for it. */
    public void restart() throws IOException
    {
        if (master.isAlive())
        {
            throw new IllegalStateException(host + " is still running");
        }
        launch(port);
        awaitReady();
    }

    /** Stops the master by pid (TERM, then KILL) and any worker of it that is left. */
    @Override
    public void close()
    {
        final List<Long> pids = new ArrayList<>(workerPids());
        if (master.isAlive())
        {
            ProcessHandle.of(master.pid()).ifPresent(ProcessHandle::destroy);
            try
            {
                if (!master.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    master.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                master.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (final long pid : pids)
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        try
        {
            awaitGone(pids);
        }
        catch (final IOException ex)
        {
            // reported by whoever deletes the namespace next; nothing more to do by pid
        }
    }

    private void awaitGone(final List<Long> pids) throws IOException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_SECONDS);
        while (System.nanoTime() < deadline)
        {
            boolean gone = !master.isAlive();
            for (final long pid : pids)
            {
                gone &= !ProcessList.isRunning(pid);
            }
            if (gone)
            {
                return;
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }
        throw new IOException(host + ": processes still running " + STOP_TIMEOUT_SECONDS + " s after SIGKILL: " + pids);
    }

    @Override
    public String toString()
    {
        return host + ":" + port;
    }
}
