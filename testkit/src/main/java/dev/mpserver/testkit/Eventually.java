package dev.mpserver.testkit;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting for a state instead of sleeping for it: another process (or thread) gets there when it
 * gets there, so a test polls the condition itself, bounded in time, and goes on the moment it
 * holds. A fixed sleep is either too short on a busy machine or wasted on an idle one.
 */
public final class Eventually
{
    /** Between two looks: short against the tests' timeouts, long against the cost of a look (a /proc read, a file map). */
    public static final long POLL_MILLIS = 20;

    private Eventually()
    {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeoutMillis} have passed.
     *
     * @return whether it held; the last look is taken at the deadline, so a condition that
     *         became true just then counts
     */
    public static boolean eventually(final long timeoutMillis, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() - deadline < 0)
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return condition.getAsBoolean();
    }

    /**
     * Polls {@code value} until two looks {@code quietMillis} apart see the same, or
     * {@code timeoutMillis} have passed: for a level that moves for a while after an event and
     * then rests (a process's open fds while its JVM opens jars and logs lazily, a counter while
     * the last frames of a burst are read).
     *
     * @return the value it rested at
     * @throws AssertionError naming {@code what} and the last two values if it did not rest in time
     */
    public static <T> T settled(final String what, final long quietMillis, final long timeoutMillis, final Supplier<T> value)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        T previous = value.get();
        while (true)
        {
            Thread.sleep(quietMillis);
            final T now = value.get();
            if (Objects.equals(previous, now))
            {
                return now;
            }
            if (System.nanoTime() - deadline >= 0)
            {
                throw new AssertionError(what + " did not settle within " + timeoutMillis + " ms: " + previous + ", then " + now);
            }
            previous = now;
        }
    }
}
