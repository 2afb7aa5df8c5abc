package dev.mpserver.worker.cli;

import java.nio.file.Path;

import dev.mpserver.worker.loop.WorkerConfig;
import picocli.CommandLine.Option;

/**
 * The per-worker settings, declared once: mixed into {@code mpserver} (which passes them on to
 * every worker it spawns) and into the worker's own command line.
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
        description = "A client that sends nothing this long gets 'E' 4 and is closed (default ${DEFAULT-VALUE}).")
    public long idleTimeoutMs;

    @Option(names = "--output-cap", defaultValue = "" + WorkerConfig.DEFAULT_OUTPUT_CAP,
        description = "Bytes of unsent output a client may have; a slower reader is cut off (default ${DEFAULT-VALUE}).")
    public int outputCap;

    @Option(names = "--drain-timeout", defaultValue = "30s", converter = DurationConverter.class,
        description = "On QUIT (graceful stop, reload), how long clients may stay before they get 'E' 5 "
            + "(default ${DEFAULT-VALUE}).")
    public long drainTimeoutMs;

    @Option(names = "--linger-timeout", defaultValue = "5s", converter = DurationConverter.class,
        description = "A refused client ('E' then half-close) may take this long to read why before its socket is "
            + "closed anyway; what it still sends meanwhile is read and dropped, so that it never sees a reset "
            + "(default ${DEFAULT-VALUE}).")
    public long lingerTimeoutMs;

    /**
     * @param fdLimit the hard RLIMIT_NOFILE, for the default --max-clients
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public WorkerConfig toConfig(final int slot, final Path runDir, final long fdLimit)
    {
        return new WorkerConfig(slot, effectiveMaxClients(fdLimit), idleTimeoutMs, outputCap, drainTimeoutMs, lingerTimeoutMs,
            runDir);
    }

    /** --max-clients as given, or what {@code fdLimit} allows. */
    public int effectiveMaxClients(final long fdLimit)
    {
        return maxClients == MAX_CLIENTS_FROM_FD_LIMIT ? WorkerConfig.defaultMaxClients(fdLimit) : maxClients;
    }
}
