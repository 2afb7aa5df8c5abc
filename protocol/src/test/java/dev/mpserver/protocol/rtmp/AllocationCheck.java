package dev.mpserver.protocol.rtmp;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a body many times and checks that it allocates nothing per round: of the runs after the
 * warm-up, the cleanest must have allocated less than one byte a round. Anything allocated per
 * message (an object is at least 16 bytes) fails by far; a stray JIT artefact in one run (a
 * deoptimisation that materialises an object, ~1 KiB once) does not, because the minimum is taken.
 */
final class AllocationCheck
{
    private static final int WARM_UPS = 2;
    private static final int MEASURED = 3;

    /** How many times each body runs {@code rounds} times. */
    static final int RUNS = WARM_UPS + MEASURED;

    private AllocationCheck()
    {
    }

    /**
     * @param what   named in the failure message.
     * @param rounds calls of {@code body} per run.
     * @param body   the code under test; created once by the caller, so calling it allocates nothing itself.
     */
    static void assertAllocatesNothing(final String what, final int rounds, final Runnable body)
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        long cleanest = Long.MAX_VALUE;
        for (int run = 0; run < RUNS; run++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                body.run();
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (run >= WARM_UPS)
            {
                cleanest = Math.min(cleanest, allocated);
            }
        }
        assertTrue(cleanest < rounds, cleanest + " bytes allocated by " + rounds + " rounds of " + what);
    }
}
