package dev.mpserver.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.mpserver.protocol.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The master's rehearsal routes every one of its hand-offs through the real routing classes, with
 * real fds passed both ways, and leaves nothing behind: no fd open, no temporary directory.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MasterRehearsalTest
{
    @Test
    void everyHandOffComesBackAndNothingIsLeftOpen() throws Exception
    {
        // The JDK keeps a socket of its own from the first FileChannel on (its file dispatcher's
        // pre-close fd: one end of a socketpair, the other closed); the rehearsal's shard table is
        // a mapped FileChannel. Made before the snapshot, it is not taken for the rehearsal's.
        try (FileChannel ignored = FileChannel.open(Path.of("/proc/self/stat")))
        {
            // opened is enough
        }
        final List<String> before = socketsAndRehearsalFiles();
        final long directoriesBefore = rehearsalDirectories();

        final MasterRehearsal rehearsal = new MasterRehearsal(1000);
        rehearsal.run();

        assertEquals(MasterRehearsal.HANDOFFS, rehearsal.routed());
        final List<String> left = socketsAndRehearsalFiles();
        left.removeAll(before);
        assertEquals(List.of(), left, "sockets, and files under the rehearsal's directory, left open");
        assertEquals(directoriesBefore, rehearsalDirectories(), "its temporary directory is gone");
    }

    /**
     * What this process's fds refer to that are sockets or under a rehearsal's directory: all the
     * rehearsal opens. A count of every fd would also see the JVM open one of its own meanwhile
     * (a jar it reads a class from for the first time).
     */
    private static List<String> socketsAndRehearsalFiles()
    {
        final List<String> targets = new ArrayList<>();
        for (final String target : Posix.openFdTargets("self"))
        {
            if (Posix.socketInode(target) >= 0 || target.contains("mpserver-rehearsal"))
            {
                targets.add(target);
            }
        }
        return targets;
    }

    private static long rehearsalDirectories() throws IOException
    {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
        {
            return entries.filter(p -> p.getFileName().toString().startsWith("mpserver-rehearsal")).count();
        }
    }
}
