package dev.mpserver.protocol.channel;

import java.util.HashSet;
import java.util.Set;

import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.Posix;

/**
 * The sockets a test made, known by inode, so that "is any of them still open in this process"
 * is exact. A count of all open fds is not: the JVM running the test opens and closes fds of its
 * own (a jar, the runner's pipes) at any moment, and a fresh-clone CI run once saw one open
 * between a test's two counts.
 */
final class TrackedSockets
{
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
        for (final String target : Posix.openFdTargets("self"))
        {
            if (wanted.contains(Posix.socketInode(target)))
            {
                count++;
            }
        }
        return count;
    }
}
