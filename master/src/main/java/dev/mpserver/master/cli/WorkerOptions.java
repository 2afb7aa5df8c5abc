package dev.mpserver.master.cli;

import java.nio.file.Path;
import java.time.Duration;

import dev.mpserver.protocol.cli.DurationConverter;
import dev.mpserver.protocol.launch.RtmpSettings;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.rtmp.ShardBy;
import picocli.CommandLine.Option;

/**
 * The per-worker options of {@code mpserver} (and {@code mpserver check}), mixed into
 * {@link ServerOptions}: validated here, then passed to every worker as its {@link WorkerConfig}
 * argv, which a worker reads back without an option parser.
 */
public final class WorkerOptions
{
    /** {@link #maxClients} when not given: what the fd limit allows. */
    public static final int MAX_CLIENTS_FROM_FD_LIMIT = -1;

    @Option(names = "--max-clients", defaultValue = "" + MAX_CLIENTS_FROM_FD_LIMIT, paramLabel = "N",
        description = "Clients one worker serves at most. At the cap it still accepts and routes clients of other "
            + "shards, answers new clients of its own shards with 'E' 2, and returns hand-offs to the master, which "
            + "moves a new shard to another worker. Default: what the fd limit allows (RLIMIT_NOFILE's hard limit, "
            + "which the JVM makes the soft one, less room for " + WorkerConfig.RESERVED_FDS + " fds of its own and "
            + "for clients in transit and lingering): 17888 under a limit of 20000.")
    public int maxClients;

    @Option(names = "--idle-timeout", defaultValue = "60s", converter = DurationConverter.class,
        description = "A client that sends nothing this long gets 'E' 4 and is closed; an RTMP player that also takes nothing "
            + "(one waiting for a publisher) gets an onStatus error (default ${DEFAULT-VALUE}).")
    public Duration idleTimeout;

    @Option(names = "--output-cap", defaultValue = "" + WorkerConfig.DEFAULT_OUTPUT_CAP,
        description = "Bytes of unsent output a client may have; a slower reader is cut off (default ${DEFAULT-VALUE}).")
    public int outputCap;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = DurationConverter.class,
        description = "On QUIT (graceful stop, reload), how long clients may stay before they get 'E' 5 "
            + "(default ${DEFAULT-VALUE}).")
    public Duration drainTimeout;

    @Option(names = "--linger-timeout", defaultValue = "5s", converter = DurationConverter.class,
        description = "A refused client ('E' then half-close) may take this long to read why before its socket is "
            + "closed anyway; what it still sends meanwhile is read and dropped, so that it never sees a reset "
            + "(default ${DEFAULT-VALUE}).")
    public Duration lingerTimeout;

    @Option(names = "--shard-by", defaultValue = "vhost", paramLabel = "vhost|app|stream",
        description = "RTMP: what decides which worker serves a client, so that a stream's publisher and players meet: "
            + "the vhost (?vhost= in the app or stream name, else the host of tcUrl, else __defaultVhost__), vhost/app, "
            + "or vhost/app/stream (spreads most; known only at publish/play). Default ${DEFAULT-VALUE}.")
    public String shardBy;

    @Option(names = "--gop-cache", defaultValue = "" + RtmpSettings.DEFAULT_GOP_CACHE_BYTES, paramLabel = "BYTES",
        description = "RTMP: bytes of each stream's last GOP kept so that a new player starts at once from its keyframe; "
            + "0 = off (new players wait for the next keyframe). Default ${DEFAULT-VALUE}.")
    public int gopCacheBytes;

    @Option(names = "--gop-cache-frames", defaultValue = "" + RtmpSettings.DEFAULT_GOP_CACHE_FRAMES, paramLabel = "N",
        description = "RTMP: video frames of a stream's GOP cache at most (a longer GOP is not cached). Default ${DEFAULT-VALUE}.")
    public int gopCacheFrames;

    @Option(names = "--gop-cache-total", defaultValue = "" + RtmpSettings.DEFAULT_GOP_CACHE_TOTAL_BYTES, paramLabel = "BYTES",
        description = "RTMP: bytes all GOP caches of one worker hold together; a stream that would go past it is not "
            + "cached until its next keyframe. Default ${DEFAULT-VALUE}.")
    public long gopCacheTotalBytes;

    @Option(names = "--warm-up", defaultValue = "" + WorkerConfig.DEFAULT_WARM_UP_CLIENTS, paramLabel = "CLIENTS",
        description = "Synthetic clients ('C', 3 messages, 'I') each new worker serves itself, through its own code, after "
            + "it starts and before it takes real clients, so that the JIT has compiled what they need: the start-up "
            + "ready line waits for it, a reload keeps the old workers serving until the new ones are warm, and a "
            + "worker started while others are warm (a replacement, a reload's new generation, one spawned for a new shard) "
            + "accepts no connection and takes no shard until it is warm (at most 3 s). 0: none. Default ${DEFAULT-VALUE} "
            + "(about 0.4 s on an idle machine).")
    public int warmUpClients;

    /**
     * @param fdLimit the hard RLIMIT_NOFILE, for the default --max-clients
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public WorkerConfig toConfig(final int slot, final Path runDir, final long fdLimit)
    {
        return new WorkerConfig(slot, effectiveMaxClients(fdLimit), idleTimeout.toMillis(), outputCap, drainTimeout.toMillis(),
            lingerTimeout.toMillis(), runDir, rtmpSettings()).withWarmUp(warmUpClients);
    }

    /** @throws IllegalArgumentException naming the RTMP option that is out of range */
    public RtmpSettings rtmpSettings()
    {
        final ShardBy granularity;
        try
        {
            granularity = ShardBy.parse(shardBy);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("--shard-by: " + ex.getMessage());
        }
        return new RtmpSettings(granularity, gopCacheBytes, gopCacheFrames, gopCacheTotalBytes);
    }

    /** --max-clients as given, or what {@code fdLimit} allows. */
    public int effectiveMaxClients(final long fdLimit)
    {
        return maxClients == MAX_CLIENTS_FROM_FD_LIMIT ? WorkerConfig.defaultMaxClients(fdLimit) : maxClients;
    }
}
