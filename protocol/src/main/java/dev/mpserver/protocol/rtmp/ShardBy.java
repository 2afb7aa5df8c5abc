package dev.mpserver.protocol.rtmp;

import java.util.Locale;

/**
 * How finely RTMP clients are spread over workers: every client of one key meets in one process.
 * A stream's publisher and players share all three parts, so any granularity keeps them together;
 * finer ones spread more but are known later (vhost and app at {@code connect}, the stream at
 * {@code publish}/{@code play}).
 */
public enum ShardBy
{
    /** {@code vhost}: the default; one worker per vhost, known at connect. */
    VHOST,
    /** {@code vhost/app}: known at connect. */
    APP,
    /** {@code vhost/app/stream}: known at publish or play. */
    STREAM;

    /** @return the value as the {@code --shard-by} option spells it. */
    public String optionValue()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the granularity named by an option value: vhost, app or stream (any case). */
    public static ShardBy parse(final String value)
    {
        for (final ShardBy granularity : values())
        {
            if (granularity.optionValue().equalsIgnoreCase(value))
            {
                return granularity;
            }
        }
        throw new IllegalArgumentException("shard granularity '" + value + "' is not one of vhost, app, stream");
    }

    /** @return true if the key is known once connect has been read. */
    public boolean isKnownAtConnect()
    {
        return this != STREAM;
    }
}
