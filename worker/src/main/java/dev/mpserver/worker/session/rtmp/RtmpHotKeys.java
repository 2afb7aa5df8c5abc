package dev.mpserver.worker.session.rtmp;

import java.util.Arrays;

import dev.mpserver.protocol.counters.HotKeys;
import dev.mpserver.worker.WorkerCounters;

/**
 * Names this worker's busiest keys for {@code mpserver stat} (format and why in the counters file:
 * {@link HotKeys}): entry 0 is its busiest shard with its key as text (when one of its streams is
 * on that shard: other shards have no name here), the others its live streams
 * with the most players, with their bit rates in and out. Run about once a second from the loop's
 * housekeeping; it allocates (strings, an iterator), which is fine at that pace and never on the
 * media path. An entry is rewritten only when its text changed.
 */
final class RtmpHotKeys
{
    /** Publishing more often only churns the labels. */
    static final long INTERVAL_NANOS = 1_000_000_000L;
    /** The longest label Agrona keeps is a little longer; a key is cut rather than the label refused. */
    private static final int MAX_TEXT = 360;
    private static final int STREAM_ENTRIES = HotKeys.ENTRIES - 1;
    private static final long BITS_PER_BYTE_TIMES_NANOS_PER_MILLI = 8L * 1_000_000L;

    private final LiveStreams streams;
    private final WorkerCounters counters;
    private final String[] published = new String[HotKeys.ENTRIES];
    private final LiveStream[] hottest = new LiveStream[STREAM_ENTRIES];
    private long lastNanos;

    RtmpHotKeys(final LiveStreams streams, final WorkerCounters counters)
    {
        this.streams = streams;
        this.counters = counters;
    }

    void publish(final int busiestShard, final int busiestShardClients, final long nowNanos)
    {
        if (0 != lastNanos && nowNanos - lastNanos < INTERVAL_NANOS)
        {
            return;
        }
        final long elapsedNanos = Math.max(1, nowNanos - lastNanos);
        final boolean firstRound = 0 == lastNanos;
        lastNanos = nowNanos;

        String busiestKey = null;
        int found = 0;
        Arrays.fill(hottest, null);
        for (final LiveStream stream : streams.all())
        {
            if (stream.shardId == busiestShard && null == busiestKey)
            {
                busiestKey = stream.shardKey;
            }
            found = rank(stream, found);
        }
        // Only a shard this worker can name (one of its streams is on it): 'C' shards are numbers only.
        set(0, null == busiestKey ? "" : HotKeys.KIND_SHARD + " id=" + busiestShard + " clients=" + busiestShardClients + " " +
            HotKeys.KEY_TOKEN + busiestKey);
        for (int i = 0; i < STREAM_ENTRIES; i++)
        {
            final LiveStream stream = hottest[i];
            set(1 + i, null == stream ? "" : HotKeys.KIND_STREAM + " players=" + stream.players +
                " publisher=" + (stream.isPublished() ? 1 : 0) +
                " inKbps=" + (firstRound ? 0 : kbps(stream.bytesIn - stream.reportedBytesIn, elapsedNanos)) +
                " outKbps=" + (firstRound ? 0 : kbps(stream.bytesOut - stream.reportedBytesOut, elapsedNanos)) +
                " " + HotKeys.KEY_TOKEN + stream.key);
        }
        for (final LiveStream stream : streams.all())
        {
            stream.reportedBytesIn = stream.bytesIn;
            stream.reportedBytesOut = stream.bytesOut;
        }
    }

    /** Keeps {@link #hottest} sorted by players, then bytes out; @return how many it holds */
    private int rank(final LiveStream stream, final int count)
    {
        int at = count < STREAM_ENTRIES ? count : STREAM_ENTRIES;
        while (at > 0 && hotter(stream, hottest[at - 1]))
        {
            if (at < STREAM_ENTRIES)
            {
                hottest[at] = hottest[at - 1];
            }
            at--;
        }
        if (at < STREAM_ENTRIES)
        {
            hottest[at] = stream;
        }
        return Math.min(STREAM_ENTRIES, count + 1);
    }

    private static boolean hotter(final LiveStream a, final LiveStream b)
    {
        return a.players > b.players || (a.players == b.players && a.bytesOut > b.bytesOut);
    }

    private static long kbps(final long bytes, final long elapsedNanos)
    {
        return bytes * BITS_PER_BYTE_TIMES_NANOS_PER_MILLI / elapsedNanos;
    }

    private void set(final int entry, final String text)
    {
        final String bounded = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        if (!bounded.equals(published[entry]))
        {
            published[entry] = bounded;
            counters.hotKey(entry, bounded);
        }
    }
}
