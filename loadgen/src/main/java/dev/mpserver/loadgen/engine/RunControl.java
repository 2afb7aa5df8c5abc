package dev.mpserver.loadgen.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** What the engine threads share with the coordinating thread: the clock, the stop flag, completion. */
public final class RunControl
{
    private final long durationNanos;
    private final CountDownLatch running;
    private long startNanos;
    private long deadline;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stopRequested;

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

    /** @return true when every engine thread has finished. */
    public boolean awaitDone(final long nanos) throws InterruptedException
    {
        return running.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }
}
