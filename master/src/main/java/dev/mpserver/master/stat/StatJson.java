package dev.mpserver.master.stat;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * {@code mpserver stat --format json}: one JSON object per line (per refresh with {@code --watch}),
 * written with Jackson's streaming generator, which escapes whatever a label or path holds.
 *
 * <pre>
 * {"runDir":"/run/mpserver-8935","time":1764481260123,
 *  "master":{"pid":4240,"alive":true,"workers":2,...,"fdLimitStalls":0},
 *  "totals":{"clients":12,...},
 *  "workers":[{"pid":4242,"slot":0,"alive":true,"clients":7,...}],
 *  "hotKeys":[{"workerPid":4242,"workerSlot":0,"kind":"stream","key":"v1/live/s1","players":20,...}],
 *  "diagnosis":["ok: ..."]}
 * </pre>
 * Counter keys are the counters' names in camelCase ({@code HANDOFFS_IN} is {@code handoffsIn}).
 */
public final class StatJson
{
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private StatJson()
    {
    }

    public static String render(final RunDirCounters counters, final List<String> diagnosis)
    {
        final StringWriter text = new StringWriter(2048);
        try (JsonGenerator json = JSON.createGenerator(text))
        {
            json.writeStartObject();
            json.writeStringField("runDir", counters.dir().toString());
            json.writeNumberField("time", counters.takenAtMillis());
            final RunDirCounters.Process master = counters.master();
            if (null != master)
            {
                json.writeObjectFieldStart("master");
                json.writeNumberField("pid", master.pid());
                json.writeBooleanField("alive", master.alive());
                for (final MasterCounter counter : MasterCounter.values())
                {
                    json.writeNumberField(key(counter.name()), counters.master(counter));
                }
                json.writeEndObject();
            }
            json.writeObjectFieldStart("totals");
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                json.writeNumberField(key(counter.name()), counters.total(counter));
            }
            json.writeEndObject();
            json.writeArrayFieldStart("workers");
            for (final RunDirCounters.Process worker : counters.workers())
            {
                json.writeStartObject();
                json.writeNumberField("pid", worker.pid());
                json.writeNumberField("slot", worker.slot());
                json.writeBooleanField("alive", worker.alive());
                for (final WorkerCounter counter : WorkerCounter.values())
                {
                    json.writeNumberField(key(counter.name()), worker.value(counter));
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeFieldName("hotKeys");
            HotKeysReport.write(json, HotKeysReport.read(counters.dir(), counters.workers()));
            json.writeArrayFieldStart("diagnosis");
            for (final String note : diagnosis)
            {
                json.writeString(note);
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex); // a StringWriter does not fail
        }
        return text.toString();
    }

    /** {@code HANDOFFS_IN} → {@code handoffsIn}. */
    static String key(final String enumName)
    {
        final StringBuilder camel = new StringBuilder(enumName.length());
        boolean upper = false;
        for (final char c : enumName.toLowerCase(Locale.ROOT).toCharArray())
        {
            if (c == '_')
            {
                upper = true;
            }
            else
            {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }
}
