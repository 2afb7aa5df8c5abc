package dev.mpserver.loadgen.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-repeat values of the figures of one row of a case (one server, one client, one load):
 * {@code set("msgsPerSec", r, v)}, then medians for the table and all values for the JSON.
 */
final class Figures
{
    private final int repeat;
    private final Map<String, double[]> values = new LinkedHashMap<>();

    Figures(final int repeat)
    {
        this.repeat = repeat;
    }

    void set(final String figure, final int r, final double value)
    {
        values.computeIfAbsent(figure, f -> filled(repeat))[r] = value;
    }

    /** Adds to the repeat's value (counts summed over the runs of one repeat). */
    void add(final String figure, final int r, final double value)
    {
        final double[] v = values.computeIfAbsent(figure, f -> filled(repeat));
        v[r] = Double.isNaN(v[r]) ? value : v[r] + value;
    }

    double median(final String figure)
    {
        final double[] v = values.get(figure);
        return null == v ? Double.NaN : Stats.median(v);
    }

    /** The sum over repeats (for counts: clients lost in all repeats). */
    double sum(final String figure)
    {
        final double[] v = values.get(figure);
        return null == v ? Double.NaN : Arrays.stream(v).filter(x -> !Double.isNaN(x)).sum();
    }

    double[] values(final String figure)
    {
        final double[] v = values.get(figure);
        return null == v ? filled(repeat) : v.clone();
    }

    /** Every figure's median into the results, as {@code prefix.figure}, with its per-repeat values. */
    void publish(final BenchResults results, final String prefix)
    {
        for (final Map.Entry<String, double[]> e : values.entrySet())
        {
            results.put(prefix + "." + e.getKey(), Stats.median(e.getValue()), e.getValue());
        }
    }

    private static double[] filled(final int n)
    {
        final double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return v;
    }
}
