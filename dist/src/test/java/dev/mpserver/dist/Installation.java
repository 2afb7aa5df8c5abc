package dev.mpserver.dist;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.rundir.RunDirectory;

/**
 * The distribution as a user has it: the tarball extracted with {@code tar} into a directory of
 * its own outside the source tree, and its commands run as processes. Every process started here
 * is remembered and, with whatever it spawned, stopped by pid in {@link #close}.
 */
final class Installation implements AutoCloseable
{
    private static final Path SHM = Path.of("/dev/shm");

    private final Path root;
    private final Path home;
    private final Map<String, String> environment = new HashMap<>();
    private final List<ProcessHandle> started = new ArrayList<>();

    private Installation(final Path root, final Path home)
    {
        this.root = root;
        this.home = home;
    }

    /**
     * Extracts {@code tarball} under a new temporary directory; the environment's XDG_RUNTIME_DIR is
     * a directory of its own, in memory as under systemd ({@code /run/user/<uid>}) where
     * {@code /dev/shm} is, so that the default run directory is there.
     */
    static Installation extract(final Path tarball) throws IOException, InterruptedException
    {
        final Path root = Files.createTempDirectory(Path.of("/tmp"), "mpserver-dist-it-");
        final Result tar = run(List.of("tar", "-xzf", tarball.toString(), "-C", root.toString()), Map.of(), 60);
        if (tar.exit != 0)
        {
            throw new IOException("tar: " + tar.err);
        }
        final List<Path> extracted;
        try (var entries = Files.list(root))
        {
            extracted = entries.toList();
        }
        if (extracted.size() != 1)
        {
            throw new IOException("the tarball must hold one directory, not " + extracted);
        }
        final Installation installation = new Installation(root, extracted.get(0));
        final Path runtime = RunDirectory.isInMemory(SHM) && Files.isWritable(SHM)
            ? Files.createTempDirectory(SHM, "mpserver-dist-xdg-") : Files.createDirectory(root.resolve("xdg-runtime"));
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        installation.environment.put("XDG_RUNTIME_DIR", runtime.toString());
        return installation;
    }

    Path home()
    {
        return home;
    }

    Path root()
    {
        return root;
    }

    Path runtimeDir()
    {
        return Path.of(environment.get("XDG_RUNTIME_DIR"));
    }

    /** Runs {@code bin/<command> args...} to its end (bounded by {@code timeoutSeconds}). */
    Result run(final String command, final List<String> args, final long timeoutSeconds) throws IOException, InterruptedException
    {
        return run(command, args, Map.of(), timeoutSeconds);
    }

    Result run(final String command, final List<String> args, final Map<String, String> extraEnvironment, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final Map<String, String> env = new HashMap<>(environment);
        env.putAll(extraEnvironment);
        return run(commandLine(command, args), env, timeoutSeconds);
    }

    /** Starts {@code bin/<command> args...} with stdout and stderr to files in the installation's root. */
    Process start(final String command, final List<String> args, final String outputName) throws IOException
    {
        return start(command, args, Map.of(), outputName);
    }

    Process start(final String command, final List<String> args, final Map<String, String> extraEnvironment, final String outputName)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(commandLine(command, args))
            .redirectOutput(root.resolve(outputName + ".out").toFile())
            .redirectError(root.resolve(outputName + ".err").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        builder.environment().putAll(extraEnvironment);
        final Process process = builder.start();
        started.add(process.toHandle());
        return process;
    }

    /** A process the test saw (a worker): stopped in {@link #close} too if it outlives its master. */
    void remember(final ProcessHandle process)
    {
        started.add(process);
    }

    String output(final String outputName, final String stream) throws IOException
    {
        final Path file = root.resolve(outputName + "." + stream);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private List<String> commandLine(final String command, final List<String> args)
    {
        final List<String> line = new ArrayList<>();
        line.add(home.resolve("bin").resolve(command).toString());
        line.addAll(args);
        return line;
    }

    static Result run(final List<String> command, final Map<String, String> env, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile("mpserver-dist-it-", ".out");
        final Path err = Files.createTempFile("mpserver-dist-it-", ".err");
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(env);
            final Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                stop(process.toHandle());
                throw new AssertionError(String.join(" ", command) + " still running after " + timeoutSeconds + " s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.getLocalPort();
        }
    }

    /** TERM, then KILL after 10 s, to {@code process} and everything below it (by pid, never by name). */
    static void stop(final ProcessHandle process)
    {
        final List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(0, process);
        for (final ProcessHandle each : tree)
        {
            each.destroy();
        }
        for (final ProcessHandle each : tree)
        {
            try
            {
                each.onExit().get(10, TimeUnit.SECONDS);
            }
            catch (final Exception ex)
            {
                each.destroyForcibly();
            }
        }
    }

    /** Stops whatever is still running, and removes the installation. */
    @Override
    public void close() throws IOException
    {
        for (final ProcessHandle process : started)
        {
            if (process.isAlive())
            {
                stop(process);
            }
        }
        final Path runtime = runtimeDir();
        deleteTree(root);
        if (Files.exists(runtime))
        {
            deleteTree(runtime);
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        try (var files = Files.walk(dir))
        {
            for (final Path file : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }

    record Result(int exit, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }
}
