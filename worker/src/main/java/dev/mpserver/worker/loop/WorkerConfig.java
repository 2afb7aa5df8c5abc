package dev.mpserver.worker.loop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Settings of one worker loop, fixed at start. Durations in nanoseconds. */
public final class WorkerConfig
{
    public static final int DEFAULT_MAX_CLIENTS = 1000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_OUTPUT_CAP = 1024 * 1024;
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
    public static final int MIN_OUTPUT_CAP = 1024;

    static final String ARG_SLOT = "--slot";
    static final String ARG_MAX_CLIENTS = "--max-clients";
    static final String ARG_IDLE_TIMEOUT_MS = "--idle-timeout-ms";
    static final String ARG_OUTPUT_CAP = "--output-cap";
    static final String ARG_DRAIN_TIMEOUT_MS = "--drain-timeout-ms";
    static final String ARG_RUN_DIR = "--run-dir";
    private static final Set<String> KNOWN_ARGUMENTS =
        Set.of(ARG_SLOT, ARG_MAX_CLIENTS, ARG_IDLE_TIMEOUT_MS, ARG_OUTPUT_CAP, ARG_DRAIN_TIMEOUT_MS, ARG_RUN_DIR);

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
        if (outputCapBytes < MIN_OUTPUT_CAP)
        {
            throw new IllegalArgumentException("output cap must be at least " + MIN_OUTPUT_CAP + " bytes, got " + outputCapBytes);
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

    /**
     * This configuration as a worker's argv: {@code --name value} pairs, readable in {@code ps},
     * parsed back by {@link #fromArguments}. Not a command line for people: the master parsed and
     * validated the user's options already, and a worker reads them back without an option parser.
     */
    public List<String> toArguments()
    {
        final List<String> arguments = new ArrayList<>(List.of(
            ARG_SLOT, Integer.toString(slot),
            ARG_MAX_CLIENTS, Integer.toString(maxClients),
            ARG_IDLE_TIMEOUT_MS, Long.toString(idleTimeoutNanos / 1_000_000L),
            ARG_OUTPUT_CAP, Integer.toString(outputCapBytes),
            ARG_DRAIN_TIMEOUT_MS, Long.toString(drainTimeoutNanos / 1_000_000L)));
        if (null != runDir)
        {
            arguments.add(ARG_RUN_DIR);
            arguments.add(runDir.toString());
        }
        return arguments;
    }

    /**
     * The configuration {@link #toArguments} wrote, from {@code arguments}; names not in it (the
     * worker's fds, say) are put in {@code others}, each with its value.
     *
     * @throws IllegalArgumentException naming the argument that is unknown, repeated, missing its
     *         value, not a number or out of range
     */
    public static WorkerConfig fromArguments(final List<String> arguments, final Map<String, String> others)
    {
        final Map<String, String> values = new HashMap<>();
        for (int i = 0; i < arguments.size(); i += 2)
        {
            final String name = arguments.get(i);
            if (i + 1 == arguments.size())
            {
                throw new IllegalArgumentException("argument " + name + " has no value");
            }
            final Map<String, String> into = KNOWN_ARGUMENTS.contains(name) ? values : others;
            if (null != into.put(name, arguments.get(i + 1)))
            {
                throw new IllegalArgumentException("argument " + name + " given twice");
            }
        }
        final String runDir = values.get(ARG_RUN_DIR);
        return new WorkerConfig(
            (int)number(values, ARG_SLOT, 0, Integer.MAX_VALUE),
            (int)number(values, ARG_MAX_CLIENTS, 1, Integer.MAX_VALUE),
            number(values, ARG_IDLE_TIMEOUT_MS, 1, Long.MAX_VALUE / 1_000_000L),
            (int)number(values, ARG_OUTPUT_CAP, MIN_OUTPUT_CAP, Integer.MAX_VALUE),
            number(values, ARG_DRAIN_TIMEOUT_MS, 0, Long.MAX_VALUE / 1_000_000L),
            null == runDir ? null : Path.of(runDir));
    }

    private static long number(final Map<String, String> values, final String name, final long min, final long max)
    {
        final String text = values.get(name);
        if (null == text)
        {
            throw new IllegalArgumentException("argument " + name + " is missing");
        }
        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("argument " + name + " is not a whole number: '" + text + "'");
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("argument " + name + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
