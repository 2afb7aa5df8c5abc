package dev.mpserver.loadgen.bench;

import java.util.Arrays;
import java.util.Locale;

/** Medians, per-repeat ratios and the number formats of the bench's tables. */
public final class Stats
{
    private Stats()
    {
    }

    /** The median (upper median for an even count), ignoring NaN; NaN if there is no value. */
    public static double median(final double[] values)
    {
        final double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2];
    }

    /** numerators[i] / denominators[i]: the ratio within each repeat. */
    static double[] perRepeat(final double[] numerators, final double[] denominators)
    {
        final double[] ratios = new double[numerators.length];
        for (int i = 0; i < ratios.length; i++)
        {
            ratios[i] = denominators[i] > 0 ? numerators[i] / denominators[i] : Double.NaN;
        }
        return ratios;
    }

    /** "0.93 0.97 0.90" */
    static String list(final double[] values)
    {
        final StringBuilder text = new StringBuilder();
        for (final double v : values)
        {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        return text.toString();
    }

    /** A rate or count: "12 345"-free plain digits, or "-" for NaN and "n/a" for -1 (not reached). */
    static String whole(final double value)
    {
        if (Double.isNaN(value))
        {
            return "-";
        }
        return value < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", value);
    }

    /** Milliseconds with two decimals, "-" for NaN. */
    static String ms(final double value)
    {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    /** A name as a JSON key segment: lower case, runs of anything else as one '-'. */
    static String key(final String name)
    {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }
}
