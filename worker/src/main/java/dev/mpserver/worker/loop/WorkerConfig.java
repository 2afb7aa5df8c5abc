package dev.mpserver.worker.loop;

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

    public WorkerConfig(
        final int slot, final int maxClients, final long idleTimeoutMs, final int outputCapBytes, final long drainTimeoutMs)
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
    }

    /** The arguments that recreate this configuration on a worker's command line. */
    public String[] toArguments()
    {
        return new String[] {
            "--slot", Integer.toString(slot),
            "--max-clients", Integer.toString(maxClients),
            "--idle-timeout", Long.toString(idleTimeoutNanos / 1_000_000L),
            "--output-cap", Integer.toString(outputCapBytes),
            "--drain-timeout", Long.toString(drainTimeoutNanos / 1_000_000L)};
    }
}
