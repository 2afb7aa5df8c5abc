package dev.mpserver.protocol.counters;

import org.HdrHistogram.Histogram;

/**
 * One hop of a routed client's way (accept to shard known, worker to master, master to owner,
 * hand-over to first reply), timed into an HdrHistogram in microseconds, and published per
 * interval: {@link #roll} closes an interval and keeps its p50, p99 and maximum, which the owner
 * writes into its counters file as gauges ({@code mpserver stat} shows "the last second", not
 * since start, so that start-up does not hide what happens now). Recording allocates nothing; the
 * two histograms swap at each roll.
 */
public final class HopLatency
{
    /** Longest hop tracked exactly: one minute. Longer ones count as this. */
    private static final long HIGHEST_MICROS = 60_000_000L;
    private static final int SIGNIFICANT_DIGITS = 2;
    private static final long NANOS_PER_MICRO = 1_000L;
    private static final double MEDIAN = 50.0;
    private static final double TAIL = 99.0;

    private Histogram current = new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private Histogram previous = new Histogram(HIGHEST_MICROS, SIGNIFICANT_DIGITS);
    private long p50Micros;
    private long p99Micros;
    private long maxMicros;
    private long count;

    /** A hop that took {@code nanos} (negative: clocks of two processes are one clock; treated as 0). */
    public void record(final long nanos)
    {
        current.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / NANOS_PER_MICRO)));
    }

    /** Ends the interval: its figures become what {@link #p50Micros} etc. say, and a new interval starts. */
    public void roll()
    {
        final Histogram closed = current;
        current = previous;
        current.reset();
        previous = closed;
        count = closed.getTotalCount();
        p50Micros = 0 == count ? 0 : closed.getValueAtPercentile(MEDIAN);
        p99Micros = 0 == count ? 0 : closed.getValueAtPercentile(TAIL);
        maxMicros = 0 == count ? 0 : closed.getMaxValue();
    }

    public long p50Micros()
    {
        return p50Micros;
    }

    public long p99Micros()
    {
        return p99Micros;
    }

    public long maxMicros()
    {
        return maxMicros;
    }

    /** Hops timed in the last interval. */
    public long count()
    {
        return count;
    }
}
