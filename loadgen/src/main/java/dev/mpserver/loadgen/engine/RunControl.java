package dev.mpserver.loadgen.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** What the engine threads share with the coordinating thread: the clock, the stop flag, completion. */
final class RunControl
{
    private final long durationNanos;
    private final CountDownLatch running;
    private long startNanos;
    private long deadline;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopRequested;

    RunControl(final long durationNanos, final int threads)
    {
        this.durationNanos = durationNanos;
        this.running = new CountDownLatch(threads);
    }

    /** Set time zero; called before the engine threads are started (Thread.start publishes it). */
    void begin(final long start)
    {
        startNanos = start;
        deadline = start + durationNanos;
    }

    /** The run's time zero (System.nanoTime()); intended start times are offsets from it. */
    long startNanos()
    {
        return startNanos;
    }

    /** --duration: every connection still open then is cut off. */
    long deadline()
    {
        return deadline;
    }

    void requestStop()
    {
        stopRequested = true;
    }

    boolean stopRequested()
    {
        return stopRequested;
    }

    void engineFailed(final Throwable t)
    {
        failure.compareAndSet(null, t);
        stopRequested = true;
    }

    Throwable failure()
    {
        return failure.get();
    }

    void engineDone()
    {
        running.countDown();
    }

    /** @return true when every engine thread has finished. */
    boolean awaitDone(final long nanos) throws InterruptedException
    {
        return running.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
