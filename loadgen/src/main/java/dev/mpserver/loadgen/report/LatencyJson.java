package dev.mpserver.loadgen.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.Writer;

/**
 * Jackson streaming helpers shared by the reports written with a {@link JsonGenerator}: the one
 * factory, and a latency figure in the layout every loadgen report uses (microseconds, the table's
 * percentiles, the full HdrHistogram).
 */
public final class LatencyJson
{
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private LatencyJson()
    {
    }

    /** A pretty-printing generator that leaves {@code out} open. */
    public static JsonGenerator generator(final Writer out) throws IOException
    {
        final JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g.useDefaultPrettyPrinter();
    }

    /** {@code name: {count, min, mean, p50, p90, p99, p99.9, max, histogram}}, times in microseconds. */
    public static void write(final JsonGenerator g, final String name, final LatencySummary s) throws IOException
    {
        g.writeObjectFieldStart(name);
        g.writeNumberField("count", s.count());
        g.writeNumberField("min", micros(s.minNanos()));
        g.writeNumberField("mean", micros((long)s.meanNanos()));
        for (int i = 0; i < LatencySummary.PERCENTILES.length; i++)
        {
            g.writeNumberField(LatencySummary.PERCENTILE_NAMES[i], micros(s.percentileNanos(LatencySummary.PERCENTILES[i])));
        }
        g.writeNumberField("max", micros(s.maxNanos()));
        g.writeStringField("histogram", s.encodedBase64());
        g.writeEndObject();
    }

    /** A rate or ratio rounded to 3 decimals, or null when it does not apply (NaN, infinite). */
    public static void number(final JsonGenerator g, final String name, final double value) throws IOException
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            g.writeNullField(name);
        }
        else
        {
            g.writeNumberField(name, Math.round(value * 1000) / 1000.0);
        }
    }

    public static double micros(final long nanos)
    {
        return nanos / 1000.0;
    }
}
