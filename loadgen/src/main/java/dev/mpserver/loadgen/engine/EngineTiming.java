package dev.mpserver.loadgen.engine;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The timing both engine threads ({@code run}'s and {@code rtmp}'s) keep alike: how they wait for
 * their next event, and how often they look for clients that waited too long for the server.
 */
public final class EngineTiming
{
    public static final long NANOS_PER_MILLI = TimeUnit.MILLISECONDS.toNanos(1);
    /** Below this a wait is spent in selectNow rather than a millisecond-granular select. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final long MAX_TIMEOUT_SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private EngineTiming()
    {
    }

    /**
     * Handles what the selector has until {@code wakeNanos}: a select rounded to its milliseconds,
     * or a selectNow when the wake-up is too close for one (a paced arrival or message would be up
     * to a millisecond late).
     */
    public static void selectUntil(final Selector selector, final Consumer<SelectionKey> onSelected, final long wakeNanos)
        throws IOException
    {
        final int timeout = waitMillis(wakeNanos);
        if (0 == timeout)
        {
            selector.selectNow(onSelected);
        }
        else
        {
            selector.select(onSelected, timeout);
        }
    }

    /** The same rule as {@link #selectUntil} for an {@code epoll_wait}: 0 (do not sleep) or milliseconds. */
    public static int waitMillis(final long wakeNanos)
    {
        final long wait = wakeNanos - System.nanoTime();
        return wait < SPIN_NANOS ? 0 : (int)Math.min(Integer.MAX_VALUE, Math.max(1, (wait + NANOS_PER_MILLI / 2) / NANOS_PER_MILLI));
    }

    /** @return how often to look for timed-out clients: a quarter of --timeout, from 1 ms to 100 ms. */
    public static long timeoutScanNanos(final long timeoutNanos)
    {
        return Math.max(NANOS_PER_MILLI, Math.min(timeoutNanos / 4, MAX_TIMEOUT_SCAN_NANOS));
    }
}
