package dev.mpserver.protocol.rundir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.mpserver.protocol.posix.Posix;

/**
 * Where a server keeps its pid file and counters files, and the checks that make the place safe.
 *
 * <p>Default: {@code mpserver-<port>} under the first of {@code $XDG_RUNTIME_DIR}, {@code /run} and
 * {@code /tmp} that is a writable directory. A server creates it mode 0700 and refuses one that is a
 * symbolic link, is not a directory, belongs to another user, or is writable by group or others:
 * under a shared {@code /tmp} the name is predictable, and whoever made the directory first could
 * otherwise read, replace or point elsewhere the files other tools trust. The control commands
 * ({@code stat}, {@code signal}) {@link #find find} the directory of a port among the same places,
 * so they agree with the server even when run from another environment (a shell with
 * {@code XDG_RUNTIME_DIR} set against a service without it).
 */
public final class RunDirectory
{
    public static final String NAME_PREFIX = "mpserver-";
    public static final String XDG_RUNTIME_DIR = "XDG_RUNTIME_DIR";
    static final Path RUN = Path.of("/run");
    static final Path TMP = Path.of("/tmp");
    /** Group- and world-writable bits of a mode. */
    private static final int WRITABLE_BY_OTHERS = 0022;
    private static final int PERMISSION_BITS = 07777;

    private RunDirectory()
    {
    }

    /** The places a default run directory may live, in order of preference. */
    public static List<Path> bases(final Map<String, String> environment)
    {
        final List<Path> bases = new ArrayList<>(3);
        final String xdg = environment.get(XDG_RUNTIME_DIR);
        if (null != xdg && !xdg.isBlank() && Path.of(xdg).isAbsolute())
        {
            bases.add(Path.of(xdg));
        }
        bases.add(RUN);
        bases.add(TMP);
        return bases;
    }

    /** The run directory a server on {@code port} creates by default: under the first writable base. */
    public static Path defaultFor(final int port)
    {
        return defaultFor(port, bases(System.getenv()));
    }

    static Path defaultFor(final int port, final List<Path> bases)
    {
        for (final Path base : bases)
        {
            if (Files.isDirectory(base) && Files.isWritable(base))
            {
                return base.resolve(NAME_PREFIX + port);
            }
        }
        return bases.get(bases.size() - 1).resolve(NAME_PREFIX + port);
    }

    /**
     * The run directory of the server on {@code port}, for a command that reads it: the first
     * {@code mpserver-<port>} that exists among the {@link #bases}, else where a server would create it.
     */
    public static Path find(final int port)
    {
        return find(port, bases(System.getenv()));
    }

    static Path find(final int port, final List<Path> bases)
    {
        for (final Path base : bases)
        {
            final Path dir = base.resolve(NAME_PREFIX + port);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
            {
                return dir;
            }
        }
        return defaultFor(port, bases);
    }

    /**
     * Creates {@code dir} mode 0700 (and any missing parents, as usual), or checks the one that is
     * there ({@link #verify}).
     *
     * @throws RunDirectoryException if it cannot be created or must not be used
     */
    public static Path prepare(final Path dir)
    {
        final Path absolute = dir.toAbsolutePath().normalize();
        try
        {
            final Path parent = absolute.getParent();
            if (null != parent && !Files.isDirectory(parent))
            {
                Files.createDirectories(parent);
            }
            // mkdir with the mode: never a moment with wider permissions (the umask can only narrow it).
            Files.createDirectory(absolute, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (final FileAlreadyExistsException ex)
        {
            // there already (or a symbolic link, or a file): verify says whether it will do
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new RunDirectoryException("cannot create run directory " + absolute + ": " + reason(ex) +
                " (choose another with --run-dir)");
        }
        verify(absolute);
        if (!Files.isWritable(absolute))
        {
            throw new RunDirectoryException("run directory " + absolute + " is not writable (choose another with --run-dir)");
        }
        return absolute;
    }

    /**
     * Refuses a directory that another user could have prepared or can still change.
     *
     * @throws RunDirectoryException naming what is wrong, if it is a symbolic link, not a directory,
     *         owned by another user, or writable by group or others
     */
    public static void verify(final Path dir)
    {
        if (Files.isSymbolicLink(dir))
        {
            throw new RunDirectoryException("run directory " + dir + " is a symbolic link: refusing it " +
                "(remove it, or choose another with --run-dir)");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            throw new RunDirectoryException("run directory " + dir + " is not a directory (choose another with --run-dir)");
        }
        final int owner;
        final int mode;
        try
        {
            owner = (Integer)Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            mode = (Integer)Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new RunDirectoryException("cannot inspect run directory " + dir + ": " + reason(ex));
        }
        final int self = Posix.process().geteuid();
        if (owner != self)
        {
            throw new RunDirectoryException("run directory " + dir + " belongs to uid " + owner + ", not to this user (uid " +
                self + "): refusing it (remove it, or choose another with --run-dir)");
        }
        if ((mode & WRITABLE_BY_OTHERS) != 0)
        {
            throw new RunDirectoryException(String.format(Locale.ROOT,
                "run directory %s is writable by group or others (mode %04o): refusing it (chmod 700 it, or choose another " +
                "with --run-dir)", dir, mode & PERMISSION_BITS));
        }
    }

    /** The errno-like reason of a file-system failure, in words, for a one-line message. */
    static String reason(final Exception ex)
    {
        if (ex instanceof java.nio.file.NoSuchFileException)
        {
            return "no such file or directory";
        }
        if (ex instanceof java.nio.file.AccessDeniedException)
        {
            return "permission denied";
        }
        if (ex instanceof java.nio.file.FileSystemException && null != ((java.nio.file.FileSystemException)ex).getReason())
        {
            return ((java.nio.file.FileSystemException)ex).getReason();
        }
        return ex.getClass().getSimpleName() + (null == ex.getMessage() ? "" : ": " + ex.getMessage());
    }
}
