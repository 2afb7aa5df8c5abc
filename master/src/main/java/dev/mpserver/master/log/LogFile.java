package dev.mpserver.master.log;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;

/**
 * {@code --log-file}: the file that becomes the server's stderr, as nginx does with its error log.
 * Log4j's console appender, the JVM's own messages and the workers (which inherit fd 2 when they
 * are spawned) all write there. Opened {@code O_APPEND}, so master and workers each add whole
 * lines to its end. Reopening (after logrotate moved it away) opens the path anew and puts the
 * new file on fd 2 with one dup2: no write is lost or goes to a closed fd meanwhile.
 */
public final class LogFile
{
    /** rw-r-----: logs may name clients; the group (adm, say) may read them. */
    private static final int MODE = 0640;

    private final Path path;

    public LogFile(final Path path)
    {
        this.path = path.toAbsolutePath().normalize();
    }

    public Path path()
    {
        return path;
    }

    /**
     * Opens (creating it if need be) the file for appending and makes it this process's stderr.
     *
     * @throws PosixException naming the file if it cannot be opened
     */
    public void redirectStderr()
    {
        Posix.replaceStderr(open());
    }

    /** @return a new close-on-exec fd of the file, for appending */
    int open()
    {
        final int fd = Posix.process().open(path.toString(), Posix.O_WRONLY | Posix.O_CREAT | Posix.O_APPEND | Posix.O_CLOEXEC, MODE);
        if (fd < 0)
        {
            throw new PosixException("open", Posix.errno(), "--log-file " + path);
        }
        return fd;
    }

    /**
     * Says whether the file could be opened, without creating it ({@code mpserver check}).
     *
     * @return null if it can be, else why not
     */
    public String problem()
    {
        if (Files.isDirectory(path))
        {
            return "log file " + path + " is a directory";
        }
        if (Files.exists(path))
        {
            return Files.isWritable(path) ? null : "log file " + path + " is not writable";
        }
        final Path parent = path.getParent();
        if (null == parent || !Files.isDirectory(parent))
        {
            return "log file " + path + ": its directory does not exist";
        }
        return Files.isWritable(parent) ? null : "log file " + path + " cannot be created: its directory is not writable";
    }
}
