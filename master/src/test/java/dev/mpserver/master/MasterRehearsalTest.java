package dev.mpserver.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        final int openBefore = Posix.openFdCount();
        final long directoriesBefore = rehearsalDirectories();

        final MasterRehearsal rehearsal = new MasterRehearsal(1000);
        rehearsal.run();

        assertEquals(MasterRehearsal.HANDOFFS, rehearsal.routed());
        // Other threads of this JVM may close fds meanwhile: no more may be open than before.
        assertTrue(Posix.openFdCount() <= openBefore, "open fds: " + openBefore + " before, " + Posix.openFdCount() + " after");
        assertEquals(directoriesBefore, rehearsalDirectories(), "its temporary directory is gone");
    }

    private static long rehearsalDirectories() throws IOException
    {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir"))))
        {
            return entries.filter(p -> p.getFileName().toString().startsWith("mpserver-rehearsal")).count();
        }
    }
}
