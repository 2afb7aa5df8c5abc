package dev.mpserver.loadgen.report;

import java.util.Locale;

/**
 * The latency part of loadgen's text reports, {@code run}'s and {@code rtmp}'s alike: a header
 * naming {@link LatencySummary#PERCENTILES}, then one row per figure, in milliseconds.
 *
 * <pre>
 *   latency (ms)          count       p50       p90       p99     p99.9       max
 *   connect                1000     0.120     0.250     0.900     1.400     2.000
 * </pre>
 */
public final class LatencyTable
{
    private LatencyTable()
    {
    }

    /** @param nameWidth the width of the first column, the figures' names */
    public static void header(final StringBuilder s, final int nameWidth)
    {
        s.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %9s", "latency (ms)", "count"));
        for (final String name : LatencySummary.PERCENTILE_NAMES)
        {
            s.append(String.format(Locale.ROOT, " %9s", name));
        }
        s.append(String.format(Locale.ROOT, " %9s%n", "max"));
    }

    /** A figure's row; "-" where nothing was measured. */
    public static void row(final StringBuilder s, final LatencySummary l, final int nameWidth)
    {
        final boolean empty = l.count() == 0;
        s.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %9d", l.name(), l.count()));
        for (final double p : LatencySummary.PERCENTILES)
        {
            s.append(String.format(Locale.ROOT, " %9s", empty ? "-" : millis(l.percentileNanos(p))));
        }
        s.append(String.format(Locale.ROOT, " %9s%n", empty ? "-" : millis(l.maxNanos())));
    }

    public static String millis(final long nanos)
    {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
