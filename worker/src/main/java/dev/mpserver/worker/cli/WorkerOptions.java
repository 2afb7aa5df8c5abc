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
    @Option(names = "--max-clients", defaultValue = "" + WorkerConfig.DEFAULT_MAX_CLIENTS,
        description = "Clients one worker serves at most; at the cap it stops accepting and returns hand-offs "
            + "(default ${DEFAULT-VALUE}).")
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

    /** @throws IllegalArgumentException naming the option that is out of range */
    public WorkerConfig toConfig(final int slot, final Path runDir)
    {
        return new WorkerConfig(slot, maxClients, idleTimeoutMs, outputCap, drainTimeoutMs, runDir);
    }
}
