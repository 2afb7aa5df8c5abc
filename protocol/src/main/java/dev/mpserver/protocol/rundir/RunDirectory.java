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
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import dev.mpserver.protocol.posix.Posix;

/**
 * Where a server keeps its pid file and counters files, and the checks that make the place safe.
 *
 * <p>Default: {@code mpserver-<port>} under the first of {@code $XDG_RUNTIME_DIR}, {@code /run},
 * {@code /dev/shm} and {@code /tmp} that is a writable directory in memory (tmpfs), else under the
 * first that is a writable directory. In memory, because the counters files and the shard table
 * are memory-mapped from it and written on every client: on a disk file system (ext4 here) the
 * kernel writes their dirty pages to the disk every half-minute or so and write-protects them, and
 * a worker's next write to each page faults into the file system: a routed server at 3 000
 * clients/s took about 4 700 page faults in 40 s there, 2 300 on tmpfs (whether the tail shows it
 * was within this machine's noise: docs/benchmarks.md, thirteenth session). Where {@code /run} is
 * not tmpfs (a machine without systemd), {@code /dev/shm} is.
 *
 * <p>A server creates it mode 0700 and refuses one that is a
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
    static final Path SHM = Path.of("/dev/shm");
    static final Path TMP = Path.of("/tmp");
    /** File systems whose files live in memory: nothing mapped from them is written back to a disk. */
    private static final Set<String> IN_MEMORY = Set.of("tmpfs", "ramfs");
    /** Group- and world-writable bits of a mode. */
    private static final int WRITABLE_BY_OTHERS = 0022;
    private static final int PERMISSION_BITS = 07777;

    private RunDirectory()
    {
    }

    /** The places a default run directory may live, in order of preference. */
    public static List<Path> bases(final Map<String, String> environment)
    {
        final List<Path> bases = new ArrayList<>(4);
        final String xdg = environment.get(XDG_RUNTIME_DIR);
        if (null != xdg && !xdg.isBlank() && Path.of(xdg).isAbsolute())
        {
            bases.add(Path.of(xdg));
        }
        bases.add(RUN);
        bases.add(SHM);
        bases.add(TMP);
        return bases;
    }

    /**
     * The run directory a server on {@code port} creates by default: under the first writable base
     * in memory, else under the first writable one.
     */
    public static Path defaultFor(final int port)
    {
        return defaultFor(port, bases(System.getenv()), RunDirectory::isInMemory);
    }

    static Path defaultFor(final int port, final List<Path> bases, final Predicate<Path> inMemory)
    {
        return firstWritable(bases, inMemory).or(() -> firstWritable(bases, base -> true))
            .orElse(bases.get(bases.size() - 1)).resolve(NAME_PREFIX + port);
    }

    /** The first writable {@link #bases base} in memory, if there is one: where a directory others map files from had best be made. */
    public static Optional<Path> inMemoryBase()
    {
        return firstWritable(bases(System.getenv()), RunDirectory::isInMemory);
    }

    /** The first of {@code bases} that is a writable directory and passes {@code test}. */
    private static Optional<Path> firstWritable(final List<Path> bases, final Predicate<Path> test)
    {
        return bases.stream().filter(RunDirectory::isWritableDirectory).filter(test).findFirst();
    }

    private static boolean isWritableDirectory(final Path base)
    {
        return Files.isDirectory(base) && Files.isWritable(base);
    }

    /** True if {@code path} is on a file system in memory (tmpfs, ramfs); false if not, or if that cannot be told. */
    public static boolean isInMemory(final Path path)
    {
        return isInMemoryType(fileSystemType(path));
    }

    private static boolean isInMemoryType(final String fileSystemType)
    {
        return null != fileSystemType && IN_MEMORY.contains(fileSystemType);
    }

    /**
     * The type of the file system {@code path} is on (e.g. "tmpfs", "ext4"), or, where it does not
     * exist yet, the one it would be made on; null if that cannot be told.
     */
    public static String fileSystemType(final Path path)
    {
        Path existing = path.toAbsolutePath();
        while (null != existing && !Files.exists(existing))
        {
            existing = existing.getParent();
        }
        try
        {
            return null == existing ? null : Files.getFileStore(existing).type();
        }
        catch (final IOException | SecurityException ex)
        {
            return null;
        }
    }

    /**
     * What to tell the user about where {@code dir} is, or null when all is well: a run directory
     * on a disk file system costs every worker write-protect faults on its mapped files.
     */
    public static String diskWarning(final Path dir)
    {
        final String type = fileSystemType(dir);
        if (isInMemoryType(type))
        {
            return null;
        }
        return "run directory " + dir + " is on " + (null == type ? "a file system of unknown type" : type) + ", not in memory (tmpfs): "
            + "its counters files and shard table are memory-mapped and written on every client, and on a disk file system they "
            + "are written back to the disk and each write-back makes the workers' next writes fault into the file system "
            + "(measured: twice the page faults of tmpfs). Give --run-dir a directory under /dev/shm or another tmpfs";
    }

    /**
     * The run directory of the server on {@code port}, for a command that reads it: the first
     * {@code mpserver-<port>} among the {@link #bases} that holds a pid file, else the first that
     * exists, else where a server would create it.
     */
    public static Path find(final int port)
    {
        return find(port, bases(System.getenv()));
    }

    static Path find(final int port, final List<Path> bases)
    {
        // One with a pid file first (a server runs there, or was killed there): a stopped server's
        // directory in an earlier base, as /run's before the default moved to memory, is no match for it.
        Path stopped = null;
        for (final Path base : bases)
        {
            final Path dir = base.resolve(NAME_PREFIX + port);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
            {
                if (Files.exists(PidFile.in(dir), LinkOption.NOFOLLOW_LINKS))
                {
                    return dir;
                }
                stopped = null == stopped ? dir : stopped;
            }
        }
        return null != stopped ? stopped : defaultFor(port, bases, RunDirectory::isInMemory);
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
