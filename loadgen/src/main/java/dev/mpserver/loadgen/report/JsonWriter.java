package dev.mpserver.loadgen.report;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

/**
 * The report's JSON through Jackson's streaming generator (which does the quoting and escaping),
 * two-space indented as before, with the report's number rules: a double that is not a number is
 * {@code null}, a whole one is written as an integer, any other to three decimals.
 */
final class JsonWriter
{
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final double DECIMALS = 1000.0;
    private static final double LARGEST_EXACT_WHOLE = 1e15;

    private final StringWriter text = new StringWriter(8192);
    private final JsonGenerator json;

    JsonWriter()
    {
        try
        {
            final Separators separators = Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator("");
            json = JSON.createGenerator(text).setPrettyPrinter(new DefaultPrettyPrinter(separators)
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    JsonWriter beginObject()
    {
        return write(JsonGenerator::writeStartObject);
    }

    JsonWriter endObject()
    {
        return write(JsonGenerator::writeEndObject);
    }

    JsonWriter beginArray()
    {
        return write(JsonGenerator::writeStartArray);
    }

    JsonWriter endArray()
    {
        return write(JsonGenerator::writeEndArray);
    }

    JsonWriter name(final String name)
    {
        return write(g -> g.writeFieldName(name));
    }

    JsonWriter value(final String value)
    {
        return write(g -> g.writeString(value));
    }

    JsonWriter value(final long value)
    {
        return write(g -> g.writeNumber(value));
    }

    JsonWriter value(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return write(JsonGenerator::writeNull);
        }
        if (value == Math.rint(value) && Math.abs(value) < LARGEST_EXACT_WHOLE)
        {
            return write(g -> g.writeNumber((long)value));
        }
        return write(g -> g.writeNumber(Math.round(value * DECIMALS) / DECIMALS));
    }

    JsonWriter value(final boolean value)
    {
        return write(g -> g.writeBoolean(value));
    }

    JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final double value)
    {
        return name(name).value(value);
    }

    JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    /** The document, ended by a newline; call once, after the outermost {@link #endObject}. */
    @Override
    public String toString()
    {
        write(JsonGenerator::flush);
        return text + "\n";
    }

    private JsonWriter write(final Step step)
    {
        try
        {
            step.on(json);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a StringWriter does not fail
        }
        return this;
    }

    @FunctionalInterface
    private interface Step
    {
        void on(JsonGenerator generator) throws IOException;
    }
}
