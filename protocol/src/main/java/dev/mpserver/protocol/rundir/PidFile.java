package dev.mpserver.protocol.rundir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * {@code master.pid} in a run directory: the decimal pid of the running server and a newline, as
 * nginx and systemd's {@code PIDFile=} expect. Written atomically (a temporary file renamed over
 * it). Read as untrusted input: at most {@value #MAX_LENGTH} bytes, digits only, a pid in range.
 * A pid file outlives a server that was killed, and its pid may since belong to another program:
 * {@link #isServer} tells a live server from a stale file by the process's command line.
 */
public final class PidFile
{
    public static final String NAME = "master.pid";
    /** Linux's largest pid_max (2^22). */
    static final long MAX_PID = 4_194_304L;
    static final int MAX_LENGTH = 32;
    public static final long NONE = 0;

    private PidFile()
    {
    }

    public static Path in(final Path runDir)
    {
        return runDir.resolve(NAME);
    }

    /**
     * @return the pid the file names, or {@link #NONE} if there is no pid file
     * @throws RunDirectoryException if it is not a regular file or does not hold a pid
     */
    public static long read(final Path runDir)
    {
        final Path file = in(runDir);
        final byte[] content;
        try
        {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
            {
                return NONE;
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                throw new RunDirectoryException("pid file " + file + " is not a regular file");
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS))
            {
                content = in.readNBytes(MAX_LENGTH + 1);
            }
        }
        catch (final NoSuchFileException ex)
        {
            return NONE; // removed meanwhile: the server stopped
        }
        catch (final IOException ex)
        {
            throw new RunDirectoryException("cannot read pid file " + file + ": " + RunDirectory.reason(ex));
        }
        return parse(file, content);
    }

    static long parse(final Path file, final byte[] content)
    {
        final String text = new String(content, StandardCharsets.US_ASCII).strip();
        if (content.length > MAX_LENGTH || text.isEmpty() || text.length() > 7 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new RunDirectoryException("pid file " + file + " is corrupt (it must hold one pid)");
        }
        final long pid = Long.parseLong(text);
        if (pid < 1 || pid > MAX_PID)
        {
            throw new RunDirectoryException("pid file " + file + " names no possible pid (" + pid + ")");
        }
        return pid;
    }

    /** Writes {@code pid}, replacing any file there in one rename. */
    public static void write(final Path runDir, final long pid)
    {
        final Path file = in(runDir);
        final Path partial = runDir.resolve(NAME + ".partial");
        try
        {
            Files.deleteIfExists(partial);
            Files.writeString(partial, pid + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            throw new RunDirectoryException("cannot write pid file " + file + ": " + RunDirectory.reason(ex));
        }
    }

    /** Removes the file if it still names {@code pid} (a later server's file is not ours to remove). */
    public static void remove(final Path runDir, final long pid)
    {
        try
        {
            if (read(runDir) == pid)
            {
                Files.deleteIfExists(in(runDir));
            }
        }
        catch (final RunDirectoryException | IOException ex)
        {
            // left behind: the next start reports it as stale and replaces it
        }
    }

    /**
     * @return whether process {@code pid} runs and its command line names {@code mainClass}: a
     *         server, not a stale pid file whose pid was reused by another program
     */
    public static boolean isServer(final long pid, final String mainClass)
    {
        final Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        try
        {
            // argv is NUL-separated; the JVM's own options come first, so read generously but boundedly
            final byte[] argv;
            try (InputStream in = Files.newInputStream(cmdline))
            {
                argv = in.readNBytes(1 << 20);
            }
            for (final String argument : new String(argv, StandardCharsets.UTF_8).split("\0"))
            {
                if (argument.equals(mainClass))
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return false; // no such process (or not ours to look at)
        }
    }
}
