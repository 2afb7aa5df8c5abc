package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * Every figure of a bench run, in the order the cases made them, for {@code --json FILE}: the
 * median of each figure under "results", the per-repeat values behind it under "samples", and what
 * could not be measured (and why) under "skipped". Written with Jackson's streaming generator.
 *
 * <pre>
 * {"format":"mpserver-bench","formatVersion":2,"date":…,"machine":{…},"options":{…},
 *  "results":{"throughput.routed.C.N5000.msgsPerSec":71234.0,…},
 *  "samples":{"throughput.routed.C.N5000.msgsPerSec":[70100.2,71234.0,73020.9],…},
 *  "skipped":["prototype: …"]}
 * </pre>
 */
final class BenchResults
{
    static final String FORMAT = "mpserver-bench";
    /** 2: keys carry the client (loadgen / C); samples and skipped added; written by Jackson. */
    static final int FORMAT_VERSION = 2;

    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Double> results = new LinkedHashMap<>();
    private final Map<String, double[]> samples = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();

    /** A header field (date, machine, options): a String, a Number, or a List of Strings. */
    void header(final String name, final Object value)
    {
        header.put(name, value);
    }

    /** A figure; NaN is written as null. */
    void put(final String key, final double value)
    {
        results.put(key, value);
    }

    /** A figure and the per-repeat values it is the median of. */
    void put(final String key, final double median, final double[] perRepeat)
    {
        results.put(key, median);
        samples.put(key, perRepeat.clone());
    }

    void skipped(final String why)
    {
        skipped.add(why);
    }

    void write(final Path file) throws IOException
    {
        try (OutputStream out = Files.newOutputStream(file);
            JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8))
        {
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("formatVersion", FORMAT_VERSION);
            for (final Map.Entry<String, Object> e : header.entrySet())
            {
                json.writeFieldName(e.getKey());
                writeValue(json, e.getValue());
            }
            json.writeObjectFieldStart("results");
            for (final Map.Entry<String, Double> e : results.entrySet())
            {
                json.writeFieldName(e.getKey());
                writeNumber(json, e.getValue());
            }
            json.writeEndObject();
            json.writeObjectFieldStart("samples");
            for (final Map.Entry<String, double[]> e : samples.entrySet())
            {
                json.writeArrayFieldStart(e.getKey());
                for (final double v : e.getValue())
                {
                    writeNumber(json, v);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeArrayFieldStart("skipped");
            for (final String why : skipped)
            {
                json.writeString(why);
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeRaw('\n');
        }
    }

    private static void writeValue(final JsonGenerator json, final Object value) throws IOException
    {
        if (value instanceof Number)
        {
            writeNumber(json, ((Number)value).doubleValue());
        }
        else if (value instanceof List)
        {
            json.writeStartArray();
            for (final Object item : (List<?>)value)
            {
                writeValue(json, item);
            }
            json.writeEndArray();
        }
        else if (value instanceof Map)
        {
            json.writeStartObject();
            for (final Map.Entry<?, ?> e : ((Map<?, ?>)value).entrySet())
            {
                json.writeFieldName(String.valueOf(e.getKey()));
                writeValue(json, e.getValue());
            }
            json.writeEndObject();
        }
        else if (null == value)
        {
            json.writeNull();
        }
        else
        {
            json.writeString(value.toString());
        }
    }

    /** Whole numbers without ".0"; two decimals otherwise (every figure here is a rate, a count or ms). */
    private static void writeNumber(final JsonGenerator json, final double value) throws IOException
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            json.writeNull();
        }
        else if (value == Math.rint(value) && Math.abs(value) < 1e15)
        {
            json.writeNumber((long)value);
        }
        else
        {
            json.writeNumber(Math.round(value * 100) / 100.0);
        }
    }
}
