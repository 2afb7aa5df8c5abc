package dev.mpserver.loadgen.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/** What the engine threads share with the coordinating thread: the clock, the stop flag, completion, the sampling loop. */
public final class RunControl
{
    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Joining engine threads after they said they are done, or after the deadline. */
    private static final long JOIN_GRACE_MILLIS = 5_000;

    private final long durationNanos;
    private final CountDownLatch running;
    private long startNanos;
    private long deadline;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopRequested;

    /** Engine thread {@code index} of {@code threads} takes items index, index + threads, … below total: how many. */
    public static long ownShare(final long total, final int index, final int threads)
    {
        return total / threads + (index < total % threads ? 1 : 0);
    }

    public RunControl(final long durationNanos, final int threads)
    {
        this.durationNanos = durationNanos;
        this.running = new CountDownLatch(threads);
    }

    /** Set time zero; called before the engine threads are started (Thread.start publishes it). */
    public void begin(final long start)
    {
        startNanos = start;
        deadline = start + durationNanos;
    }

    /** The run's time zero (System.nanoTime()); intended start times are offsets from it. */
    public long startNanos()
    {
        return startNanos;
    }

    /** --duration: every connection still open then is cut off. */
    public long deadline()
    {
        return deadline;
    }

    public void requestStop()
    {
        stopRequested = true;
    }

    public boolean stopRequested()
    {
        return stopRequested;
    }

    public void engineFailed(final Throwable t)
    {
        failure.compareAndSet(null, t);
        stopRequested = true;
    }

    public Throwable failure()
    {
        return failure.get();
    }

    public void engineDone()
    {
        running.countDown();
    }

    /**
     * Start the engine threads, call {@code sampleAt(now)} once a second from {@code start} until they
     * have all finished, stop and join them (bounded), and sample once more at the end.
     *
     * @return the end time (System.nanoTime()), when every engine thread was done or given up on.
     */
    public long runSampling(final Thread[] engines, final long start, final LongConsumer sampleAt) throws InterruptedException
    {
        for (final Thread t : engines)
        {
            t.start();
        }
        try
        {
            long nextSample = start + SAMPLE_NANOS;
            while (!awaitDone(nextSample - System.nanoTime()))
            {
                sampleAt.accept(System.nanoTime());
                nextSample += SAMPLE_NANOS;
            }
        }
        finally
        {
            requestStop();
            for (final Thread t : engines)
            {
                t.join(JOIN_GRACE_MILLIS);
            }
        }
        final long end = System.nanoTime();
        sampleAt.accept(end);
        return end;
    }

    /** @return true when every engine thread has finished. */
    public boolean awaitDone(final long nanos) throws InterruptedException
    {
        return running.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
