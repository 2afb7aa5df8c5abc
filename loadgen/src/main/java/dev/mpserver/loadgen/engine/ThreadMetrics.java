package dev.mpserver.loadgen.engine;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters and latency recorders of one engine thread ({@code run}'s {@link Counters} and
 * {@link Latency}, or any other command's by count, as {@code loadgen rtmp} uses it). Only that thread writes; the coordinating
 * thread reads the counters (release/acquire) and takes interval histograms from the recorders once a
 * second, which is what {@link SingleWriterRecorder} is for.
 */
public final class ThreadMetrics
{
    /** Latencies above an hour are clamped: no run is allowed to last that long anyway. */
    static final long HIGHEST_TRACKABLE_NANOS = TimeUnit.HOURS.toNanos(1);
    static final int SIGNIFICANT_DIGITS = 3;

    private final AtomicLongArray counters;
    private final SingleWriterRecorder[] recorders;
    private final Histogram[] lastIntervals;

    ThreadMetrics()
    {
        this(Counters.LENGTH, Latency.values().length);
    }

    /** Metrics with {@code counterCount} counters and {@code latencyCount} latency figures, by index. */
    public ThreadMetrics(final int counterCount, final int latencyCount)
    {
        counters = new AtomicLongArray(counterCount);
        recorders = new SingleWriterRecorder[latencyCount];
        lastIntervals = new Histogram[latencyCount];
        for (int i = 0; i < recorders.length; i++)
        {
            recorders[i] = new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
        }
    }

    public static Histogram newHistogram()
    {
        return new Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
    }

    /** Writer side: this thread is the only writer, so a plain read plus a release store is enough. */
    public void increment(final int index)
    {
        counters.setRelease(index, counters.getPlain(index) + 1);
    }

    public void add(final int index, final long delta)
    {
        counters.setRelease(index, counters.getPlain(index) + delta);
    }

    public void set(final int index, final long value)
    {
        counters.setRelease(index, value);
    }

    void record(final Latency latency, final long nanos)
    {
        record(latency.ordinal(), nanos);
    }

    public void record(final int latency, final long nanos)
    {
        recorders[latency].recordValue(Math.max(0, Math.min(nanos, HIGHEST_TRACKABLE_NANOS)));
    }

    /** Reader side. */
    public long get(final int index)
    {
        return counters.getAcquire(index);
    }

    /**
     * Reader side (one reader thread only): what was recorded since the previous call. The histogram
     * returned is recycled by the next call, so use it before then.
     */
    Histogram takeInterval(final Latency latency)
    {
        return takeInterval(latency.ordinal());
    }

    /** {@link #takeInterval(Latency)} by index. */
    public Histogram takeInterval(final int i)
    {
        lastIntervals[i] = recorders[i].getIntervalHistogram(lastIntervals[i]);
        return lastIntervals[i];
    }
}
