package dev.mpserver.worker.loop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Settings of one worker loop, fixed at start. Durations in nanoseconds. */
public final class WorkerConfig
{
    public static final int DEFAULT_MAX_CLIENTS = 1000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_OUTPUT_CAP = 1024 * 1024;
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

    public final int slot;
    public final int maxClients;
    public final long idleTimeoutNanos;
    public final int outputCapBytes;
    public final long drainTimeoutNanos;
    /** Where the counters file goes; null for none. */
    public final Path runDir;

    public WorkerConfig(
        final int slot, final int maxClients, final long idleTimeoutMs, final int outputCapBytes, final long drainTimeoutMs,
        final Path runDir)
    {
        if (maxClients < 1)
        {
            throw new IllegalArgumentException("max clients must be at least 1, got " + maxClients);
        }
        if (idleTimeoutMs < 1)
        {
            throw new IllegalArgumentException("idle timeout must be at least 1 ms, got " + idleTimeoutMs);
        }
        if (outputCapBytes < 1024)
        {
            throw new IllegalArgumentException("output cap must be at least 1024 bytes, got " + outputCapBytes);
        }
        this.slot = slot;
        this.maxClients = maxClients;
        this.idleTimeoutNanos = idleTimeoutMs * 1_000_000L;
        this.outputCapBytes = outputCapBytes;
        this.drainTimeoutNanos = Math.max(0, drainTimeoutMs) * 1_000_000L;
        this.runDir = runDir;
    }

    /** The same settings for another slot. */
    public WorkerConfig forSlot(final int newSlot)
    {
        return new WorkerConfig(newSlot, maxClients, idleTimeoutNanos / 1_000_000L, outputCapBytes,
            drainTimeoutNanos / 1_000_000L, runDir);
    }

    /** The arguments that recreate this configuration on a worker's command line. */
    public List<String> toArguments()
    {
        final List<String> arguments = new ArrayList<>(List.of(
            "--slot", Integer.toString(slot),
            "--max-clients", Integer.toString(maxClients),
            "--idle-timeout", idleTimeoutNanos / 1_000_000L + "ms",
            "--output-cap", Integer.toString(outputCapBytes),
            "--drain-timeout", drainTimeoutNanos / 1_000_000L + "ms"));
        if (null != runDir)
        {
            arguments.add("--run-dir");
            arguments.add(runDir.toString());
        }
        return arguments;
    }
}
