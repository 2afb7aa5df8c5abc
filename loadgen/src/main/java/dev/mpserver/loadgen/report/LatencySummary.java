package dev.mpserver.loadgen.report;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * One latency figure of a run: its full histogram (nanoseconds) and the percentiles the text table
 * and the JSON both show.
 */
public final class LatencySummary
{
    /** The percentiles every report shows, in this order. */
    public static final double[] PERCENTILES = {50, 90, 99, 99.9};
    public static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};

    private final String name;
    private final Histogram histogram;

    public LatencySummary(final String name, final Histogram histogram)
    {
        this.name = name;
        this.histogram = histogram;
    }

    public String name()
    {
        return name;
    }

    /** The full histogram, values in nanoseconds. */
    public Histogram histogram()
    {
        return histogram;
    }

    public long count()
    {
        return histogram.getTotalCount();
    }

    public long percentileNanos(final double percentile)
    {
        return count() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
    }

    public long p50Nanos()
    {
        return percentileNanos(50);
    }

    public long p90Nanos()
    {
        return percentileNanos(90);
    }

    public long p99Nanos()
    {
        return percentileNanos(99);
    }

    public long p999Nanos()
    {
        return percentileNanos(99.9);
    }

    public long maxNanos()
    {
        return count() == 0 ? 0 : histogram.getMaxValue();
    }

    public long minNanos()
    {
        return count() == 0 ? 0 : histogram.getMinValue();
    }

    public double meanNanos()
    {
        return count() == 0 ? 0 : histogram.getMean();
    }

    /** HdrHistogram's compressed encoding, base64: decode with {@code Histogram.decodeFromCompressedByteBuffer}. */
    public String encodedBase64()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }
}
