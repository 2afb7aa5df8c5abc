package dev.mpserver.protocol.posix;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Posix#reserveFdTable} grows this process's fd table as the kernel reports it
 * ({@code FDSize} in /proc/self/status) and leaves no fd open; beyond the fd limit it reserves
 * nothing.
 */
class FdTableTest
{
    private static int fdTableSize()
    {
        return Posix.fdTableSize("self");
    }

    private static long fdLimit()
    {
        return Posix.getRlimit(RLimit.RLIMIT_NOFILE).current();
    }

    @Test
    void theTableHoldsTheReservedFdsAndNoFdIsLeftOpen() throws Exception
    {
        final int before = fdTableSize();
        final int target = (int)Math.min(Math.min(fdLimit(), Posix.FD_TABLE_RESERVE_MAX), 4L * before);
        assumeTrue(target > before, "fd limit " + fdLimit() + " leaves no room to grow a table of " + before);
        final int open = Posix.openFdCount();

        final int reserved = Posix.reserveFdTable(Posix.STDERR_FILENO, target);

        assertTrue(reserved >= target, "reserved " + reserved + " of " + target);
        assertTrue(fdTableSize() >= target, "FDSize " + fdTableSize() + " after reserving " + target);
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + (reserved - 1)), LinkOption.NOFOLLOW_LINKS), "the copy is closed");
        // Other threads of this JVM may open and close fds meanwhile (a fresh-clone run saw one more
        // for a moment): no more may be open than before once they settle, within a second.
        final long settleBy = System.nanoTime() + 1_000_000_000L;
        while (Posix.openFdCount() > open && System.nanoTime() - settleBy < 0)
        {
            Thread.sleep(10);
        }
        assertTrue(Posix.openFdCount() <= open, "open fds: " + open + " before, " + Posix.openFdCount() + " after");
    }

    @Test
    void beyondTheFdLimitNothingIsReserved() throws Exception
    {
        assumeTrue(fdLimit() < Posix.FD_TABLE_RESERVE_MAX, "fd limit " + fdLimit() + " is above what a reservation reaches");
        final int before = fdTableSize();

        assertEquals(0, Posix.reserveFdTable(Posix.STDERR_FILENO, (int)fdLimit() + 1));
        assertEquals(before, fdTableSize());
    }
}
