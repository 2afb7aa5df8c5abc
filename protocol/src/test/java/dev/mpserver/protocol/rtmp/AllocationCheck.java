package dev.mpserver.protocol.rtmp;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Runs a body many times and checks, once the JIT has settled, that a last run allocated nothing. */
final class AllocationCheck
{
    /** Runs before the measured one: the first ones compile, the measured one must be clean. */
    private static final int WARM_UPS = 4;

    /** How many times each body runs {@code rounds} times. */
    static final int RUNS = WARM_UPS + 1;

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
        long allocated = -1;
        for (int run = 0; run < RUNS; run++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                body.run();
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by " + rounds + " rounds of " + what);
    }
}
