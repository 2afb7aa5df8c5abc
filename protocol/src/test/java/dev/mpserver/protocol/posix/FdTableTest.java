package dev.mpserver.protocol.posix;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Posix#reserveFdTable} grows this process's fd table as the kernel reports it
 * ({@code FDSize} in /proc/self/status), leaves no fd open, and stops at the fd limit (or its own
 * bound). In this
 * order: the table never shrinks, so a table grown to the limit has no room left for the first.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FdTableTest
{
    /** The fd table's size as the kernel reports it: the "FDSize:" line of /proc/self/status. */
    private static int fdTableSize() throws Exception
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("FDSize:"))
            {
                return Integer.parseInt(line.substring("FDSize:".length()).trim());
            }
        }
        throw new AssertionError("no FDSize in /proc/self/status");
    }

    /** The most a reservation may reach: the soft fd limit or the reservation's own bound. */
    private static int fdLimit()
    {
        return (int)Math.min(Posix.FD_TABLE_RESERVE_MAX, Posix.getRlimit(RLimit.RLIMIT_NOFILE).current());
    }

    @Test
    @Order(1)
    void theTableHoldsTheReservedFdsAndNoFdIsLeftOpen() throws Exception
    {
        final int before = fdTableSize();
        final int target = Math.min(fdLimit(), 4 * before);
        assumeTrue(target > before, "fd limit " + fdLimit() + " leaves no room to grow a table of " + before);
        final int open = Posix.openFdCount();

        final int reserved = Posix.reserveFdTable(target);

        assertTrue(reserved >= target, "reserved " + reserved + " of " + target);
        assertTrue(fdTableSize() >= target, "FDSize " + fdTableSize() + " after reserving " + target);
        assertNothingLeftOpen(open, reserved);
    }

    @Test
    @Order(2)
    void aReservationBeyondTheFdLimitStopsAtIt() throws Exception
    {
        final int open = Posix.openFdCount();

        final int reserved = Posix.reserveFdTable(Integer.MAX_VALUE);

        assertTrue(reserved > 0 && reserved <= fdLimit(), "reserved " + reserved + " under the limit " + fdLimit());
        assertTrue(fdTableSize() >= reserved, "FDSize " + fdTableSize() + " after reserving " + reserved);
        assertNothingLeftOpen(open, reserved);
    }

    /**
     * The duplicate at the table's top is closed, and no fd more is open than before (other threads
     * of this JVM may close theirs meanwhile, so the count may drop).
     */
    private static void assertNothingLeftOpen(final int openBefore, final int reserved)
    {
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + (reserved - 1)), LinkOption.NOFOLLOW_LINKS), "fd " + (reserved - 1) + " open");
        assertTrue(Posix.openFdCount() <= openBefore, "open fds: " + openBefore + " before, " + Posix.openFdCount() + " after");
    }
}
