package dev.mpserver.master.stat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.counters.HotKeys;
import dev.mpserver.protocol.counters.RunDirCounters;

/**
 * The hot keys section of {@code mpserver stat}: each live worker's busiest shard and its live
 * streams with the most players, by name (vhost, vhost/app or vhost/app/stream), as the worker
 * rewrites them about once a second in its counters file ({@link HotKeys}). Read-only, like the
 * rest of stat; kept in its own class so that stat's table and JSON only gain a section.
 */
public final class HotKeysReport
{
    /** One entry as a worker published it. */
    public record Entry(int pid, int slot, String text)
    {
        String kind()
        {
            return HotKeys.kind(text);
        }

        String key()
        {
            return HotKeys.key(text);
        }

        Map<String, String> fields()
        {
            return HotKeys.fields(text);
        }
    }

    private HotKeysReport()
    {
    }

    /** The entries of every live worker of {@code dir}, in worker order. */
    public static List<Entry> read(final Path dir, final List<RunDirCounters.Process> workers)
    {
        final List<Entry> entries = new ArrayList<>();
        for (final RunDirCounters.Process worker : workers)
        {
            if (!worker.alive())
            {
                continue;
            }
            final CountersFileReader reader = CountersFileReader.open(CountersFile.workerFile(dir, worker.pid()));
            if (null == reader)
            {
                continue;
            }
            try
            {
                for (final String text : reader.hotKeys())
                {
                    entries.add(new Entry(worker.pid(), worker.slot(), text));
                }
            }
            finally
            {
                reader.close();
            }
        }
        return entries;
    }

    /** The section of the table; empty when no worker names a key. */
    public static String table(final List<Entry> entries)
    {
        if (entries.isEmpty())
        {
            return "";
        }
        final StringBuilder text = new StringBuilder("  hot keys (each live worker's busiest shard and most watched streams)\n");
        for (final Entry entry : entries)
        {
            final Map<String, String> fields = entry.fields();
            final String worker = "w" + entry.slot() + ":" + entry.pid();
            if (HotKeys.KIND_SHARD.equals(entry.kind()))
            {
                text.append(String.format(Locale.ROOT, "    %-14s shard  %-40s %6s clients (shard id %s)%n",
                    worker, entry.key(), fields.get("clients"), fields.get("id")));
            }
            else
            {
                text.append(String.format(Locale.ROOT, "    %-14s stream %-40s %6s players, %s, %s kbit/s in, %s kbit/s out%n",
                    worker, entry.key(), fields.get("players"), "1".equals(fields.get("publisher")) ? "published" : "no publisher",
                    fields.get("inKbps"), fields.get("outKbps")));
            }
        }
        return text.append('\n').toString();
    }

    /** The section as a JSON array of objects: workerPid, workerSlot, kind, key and the entry's numbers (as numbers). */
    public static void write(final JsonGenerator json, final List<Entry> entries) throws IOException
    {
        json.writeStartArray();
        for (final Entry entry : entries)
        {
            json.writeStartObject();
            json.writeNumberField("workerPid", entry.pid());
            json.writeNumberField("workerSlot", entry.slot());
            json.writeStringField("kind", entry.kind());
            json.writeStringField("key", entry.key());
            for (final Map.Entry<String, String> field : entry.fields().entrySet())
            {
                json.writeFieldName(field.getKey());
                if (field.getValue().matches("-?\\d{1,18}"))
                {
                    json.writeNumber(Long.parseLong(field.getValue()));
                }
                else
                {
                    json.writeString(field.getValue());
                }
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
