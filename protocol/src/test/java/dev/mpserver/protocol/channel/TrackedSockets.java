package dev.mpserver.protocol.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import dev.mpserver.protocol.posix.FileStat;

/**
 * The sockets a test made, known by inode, so that "is any of them still open in this process"
 * is exact. A count of all open fds is not: the JVM running the test opens and closes fds of its
 * own (a jar, the runner's pipes) at any moment, and a fresh-clone CI run once saw one open
 * between a test's two counts.
 */
final class TrackedSockets
{
    private static final Path OWN_FDS = Path.of("/proc/self/fd");
    private static final String SOCKET_PREFIX = "socket:[";

    private final FileStat stat = new FileStat();
    private final Set<Long> inodes = new HashSet<>();

    /** @return {@code fd}, now tracked. */
    int track(final int fd)
    {
        inodes.add(stat.of(fd).inode());
        return fd;
    }

    /** @return how many fds of this process refer to the socket with {@code inode}. */
    int references(final long inode)
    {
        return count(Set.of(inode));
    }

    /** @return how many fds of this process refer to any tracked socket. */
    int references()
    {
        return count(inodes);
    }

    private static int count(final Set<Long> wanted)
    {
        int count = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(OWN_FDS))
        {
            for (final Path fd : fds)
            {
                final String target;
                try
                {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (final IOException closedMeanwhile)
                {
                    continue; // the JVM closed one of its own (or the directory stream's) meanwhile
                }
                if (target.startsWith(SOCKET_PREFIX) &&
                    wanted.contains(Long.parseLong(target.substring(SOCKET_PREFIX.length(), target.length() - 1))))
                {
                    count++;
                }
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
        return count;
    }
}
