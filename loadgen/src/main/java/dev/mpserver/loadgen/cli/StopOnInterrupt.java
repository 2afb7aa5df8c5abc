package dev.mpserver.loadgen.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a run: stop the run and let the command still print what was measured. A shutdown
 * hook asks the run to stop, then waits (bounded) until {@link #close()} says the report is out.
 */
final class StopOnInterrupt implements AutoCloseable
{
    private static final long REPORT_WAIT_SECONDS = 5;

    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;

    StopOnInterrupt(final Runnable requestStop)
    {
        hook = new Thread(() ->
        {
            requestStop.run();
            try
            {
                reported.await(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "loadgen-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The report is out (or the command gave up): the hook may let the JVM exit. */
    @Override
    public void close()
    {
        reported.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // The hook is running; it sees the latch.
        }
    }
}
