package dev.mpserver.protocol.counters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A worker's busiest keys by name, for {@code mpserver stat}: {@link #ENTRIES} counters of type
 * {@link #TYPE_ID} at the end of the worker's counters file whose <em>labels</em> are the text and
 * whose <em>values</em> are a sequence number guarding it. The worker rewrites them about once a
 * second; an empty label is an unused entry.
 *
 * <h2>Why labels, and the guard</h2>
 * The counters file is already mapped by {@code stat}, removed by the master when the worker is
 * reaped, and read without disturbing the writer; Agrona lets a counter's label change in place
 * ({@code CountersManager.setCounterLabel}). A label is several stores, so a reader could see half
 * of an old and half of a new one. The value is a seqlock: the writer makes it odd, rewrites the
 * label, makes it even (ordered stores); a reader accepts a label only if the value was the same
 * even number before and after reading it, else reads again.
 *
 * <h2>Text of an entry</h2>
 * Space-separated {@code name=value} tokens, the key last (it is the only part that may hold
 * spaces):
 * <pre>
 *   shard id=-1523489 clients=31 key=live.example.com
 *   stream players=15 publisher=1 inKbps=612 outKbps=9180 key=live.example.com/live/s1
 * </pre>
 * {@code shard}: the worker's busiest shard with its key as text (vhost, vhost/app or
 * vhost/app/stream per {@code --shard-by}); {@code stream}: its live streams with the most players.
 */
public final class HotKeys
{
    /** Type id of the entries (after the worker counters' range). */
    public static final int TYPE_ID = 4000;
    /** Entries per worker: its busiest shard and its busiest streams. */
    public static final int ENTRIES = 8;

    public static final String KIND_SHARD = "shard";
    public static final String KIND_STREAM = "stream";
    public static final String KEY_TOKEN = "key=";

    private HotKeys()
    {
    }

    /** @return the entry's kind ({@link #KIND_SHARD}, {@link #KIND_STREAM}), or "" for an empty entry. */
    public static String kind(final String entry)
    {
        final int space = entry.indexOf(' ');
        return space < 0 ? entry : entry.substring(0, space);
    }

    /** @return the key: everything after {@code key=}, or "". */
    public static String key(final String entry)
    {
        final int at = entry.indexOf(' ' + KEY_TOKEN);
        return at < 0 ? "" : entry.substring(at + 1 + KEY_TOKEN.length());
    }

    /** @return the {@code name=value} tokens between the kind and the key, in order. */
    public static Map<String, String> fields(final String entry)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        final int keyAt = entry.indexOf(' ' + KEY_TOKEN);
        final String middle = entry.substring(0, keyAt < 0 ? entry.length() : keyAt);
        final String[] tokens = middle.split(" ");
        for (int i = 1; i < tokens.length; i++)
        {
            final int equals = tokens[i].indexOf('=');
            if (equals > 0)
            {
                fields.put(tokens[i].substring(0, equals), tokens[i].substring(equals + 1));
            }
        }
        return fields;
    }
}
