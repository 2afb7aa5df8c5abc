package dev.mpserver.loadgen.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server process started for one benchmark case, on 127.0.0.1 and a free port, with its own run
 * directory; stopped by pid (TERM, then KILL). Usually mpserver from the built
 * {@code master/target/lib}; for the side-by-side baseline, the C reference server.
 */
final class ServerUnderTest implements AutoCloseable
{
    private static final Pattern READY = Pattern.compile("mpserver ready port=(\\d+) pid=(\\d+)");

    private final Process process;
    private final Path runDir;
    private final int port;
    private final long pid;

    private ServerUnderTest(final Process process, final Path runDir, final int port, final long pid)
    {
        this.process = process;
        this.runDir = runDir;
        this.port = port;
        this.pid = pid;
    }

    static ServerUnderTest start(final Path repo, final String... args) throws IOException, InterruptedException
    {
        final Path runDir = Files.createTempDirectory("mpserver-bench-");
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp", repo.resolve("master/target/lib").toAbsolutePath() + File.separator + "*",
            "dev.mpserver.master.cli.MpServer", "--host", "127.0.0.1", "--port", "0", "--run-dir", runDir.toString()));
        command.addAll(List.of(args));
        return start(command, runDir);
    }

    /** The C reference server: a binary that takes a port and prints the same ready line. */
    static ServerUnderTest startReference(final Path binary) throws IOException, InterruptedException
    {
        final Path runDir = Files.createTempDirectory("mpserver-bench-reference-");
        return start(List.of(binary.toString(), "0"), runDir);
    }

    private static ServerUnderTest start(final List<String> command, final Path runDir) throws IOException
    {
        final Process process = new ProcessBuilder(command)
            .redirectError(runDir.resolve("server.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null)
        {
            final Matcher m = READY.matcher(line);
            if (m.find())
            {
                return new ServerUnderTest(process, runDir, Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)));
            }
            if (System.nanoTime() > deadline)
            {
                break;
            }
        }
        process.destroyForcibly();
        throw new IOException(command.get(0) + " did not start; see " + runDir.resolve("server.log"));
    }

    int port()
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

    List<Long> workerPids()
    {
        final List<Long> pids = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> p.children().forEach(c -> pids.add(c.pid())));
        return pids;
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
        if (process.isAlive())
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy); // SIGTERM, by pid
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
