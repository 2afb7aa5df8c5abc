package dev.mpserver.master.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
final class HotKeysReport
{
    /** One entry as a worker published it. */
    record Entry(int pid, int slot, String text)
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
    static List<Entry> read(final Path dir, final List<RunDirCounters.Process> workers)
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
    static String table(final List<Entry> entries)
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

    /** The section as a JSON array of objects: workerPid, workerSlot, kind, key and the entry's numbers. */
    static String json(final List<Entry> entries)
    {
        final StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < entries.size(); i++)
        {
            final Entry entry = entries.get(i);
            json.append(i == 0 ? "" : ",").append("{\"workerPid\":").append(entry.pid()).append(",\"workerSlot\":").append(entry.slot())
                .append(",\"kind\":").append(quote(entry.kind())).append(",\"key\":").append(quote(entry.key()));
            for (final Map.Entry<String, String> field : entry.fields().entrySet())
            {
                json.append(',').append(quote(field.getKey())).append(':').append(number(field.getValue()));
            }
            json.append('}');
        }
        return json.append(']').toString();
    }

    private static String number(final String value)
    {
        return value.matches("-?\\d+") ? value : quote(value);
    }

    private static String quote(final String text)
    {
        final StringBuilder quoted = new StringBuilder("\"");
        for (final char c : text.toCharArray())
        {
            if (c == '"' || c == '\\')
            {
                quoted.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                quoted.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
