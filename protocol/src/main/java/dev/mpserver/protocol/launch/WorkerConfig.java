package dev.mpserver.protocol.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mpserver.protocol.rtmp.ShardBy;

/** Settings of one worker loop, fixed at start. Durations in nanoseconds. */
public final class WorkerConfig
{
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final int DEFAULT_OUTPUT_CAP = 1024 * 1024;
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
    public static final int MIN_OUTPUT_CAP = 1024;
    public static final long DEFAULT_LINGER_TIMEOUT_MS = 5_000;

    /** Fds a worker keeps beside its clients: channel, listener, epoll, the JVM's jars and logs. */
    public static final int RESERVED_FDS = 64;
    /** Most sockets in transit (accepted, 'C' not read yet) and most lingering at once, each. */
    private static final int MAX_HEADROOM = 1024;
    private static final int MIN_HEADROOM = 16;
    private static final int HEADROOM_DIVISOR = 8;

    static final String ARG_SLOT = "--slot";
    static final String ARG_MAX_CLIENTS = "--max-clients";
    static final String ARG_IDLE_TIMEOUT_MS = "--idle-timeout-ms";
    static final String ARG_OUTPUT_CAP = "--output-cap";
    static final String ARG_DRAIN_TIMEOUT_MS = "--drain-timeout-ms";
    static final String ARG_LINGER_TIMEOUT_MS = "--linger-timeout-ms";
    static final String ARG_RUN_DIR = "--run-dir";
    static final String ARG_SHARD_BY = "--shard-by";
    static final String ARG_GOP_CACHE = "--gop-cache";
    static final String ARG_GOP_CACHE_FRAMES = "--gop-cache-frames";
    static final String ARG_GOP_CACHE_TOTAL = "--gop-cache-total";
    /** Optional: absent is 0. */
    static final String ARG_WARM_UP_CLIENTS = "--warm-up-clients";
    /** Optional: absent is 0 (accept at once). */
    static final String ARG_ACCEPT_WHEN_WARM = "--accept-when-warm";
    /** Optional: absent is 0 (started at the default scheduling policy). */
    static final String ARG_IDLE_UNTIL_WARM = "--idle-until-warm";
    /** Optional: absent is 0 (not a standby). */
    static final String ARG_STANDBY = "--standby";
    private static final Set<String> KNOWN_ARGUMENTS = Set.of(ARG_SLOT, ARG_MAX_CLIENTS, ARG_IDLE_TIMEOUT_MS, ARG_OUTPUT_CAP,
        ARG_DRAIN_TIMEOUT_MS, ARG_LINGER_TIMEOUT_MS, ARG_RUN_DIR, ARG_SHARD_BY, ARG_GOP_CACHE, ARG_GOP_CACHE_FRAMES,
        ARG_GOP_CACHE_TOTAL, ARG_WARM_UP_CLIENTS, ARG_ACCEPT_WHEN_WARM, ARG_IDLE_UNTIL_WARM, ARG_STANDBY);
    /** Clients a new worker serves itself by default before it says it is warm (see {@link #warmUpClients}). */
    public static final int DEFAULT_WARM_UP_CLIENTS = 1000;

    public final int slot;
    public final int maxClients;
    public final long idleTimeoutNanos;
    public final int outputCapBytes;
    public final long drainTimeoutNanos;
    /** How long a refused client may take to read its 'E' before the socket is closed anyway. */
    public final long lingerTimeoutNanos;
    /** Where the counters file goes; null for none. */
    public final Path runDir;
    /** Shard key and GOP cache of RTMP clients. */
    public final RtmpSettings rtmp;
    /**
     * Synthetic clients the worker serves itself, through its own code, after READY and before it
     * tells the master WARM: the JIT compiles what real clients need, and the one-off work of a
     * new JVM is done before they come. 0: none (WARM right after READY).
     */
    public final int warmUpClients;
    /**
     * Other workers are warm and accepting: this one takes nothing from the shared listener until
     * its own warm-up is done (bounded in time), so that no client meets its cold code (issue 16:
     * after a respawn, the replacement accepting at READY put the first clients' p99 at 2-7x warm).
     * Without warm-up clients, or false (a start: nobody is warm yet), it accepts at once.
     */
    public final boolean acceptWhenWarm;
    /**
     * The master started this worker in SCHED_IDLE, all of it (its JVM's start, JIT compilers,
     * logging set-up and warm-up), so that while others serve it takes only CPU they leave; it
     * moves every thread to the default policy when it says WARM. Only beside {@link
     * #acceptWhenWarm}, and only where a process may leave SCHED_IDLE (README, "Logs and worker
     * start-up").
     */
    public final boolean idleUntilWarm;
    /**
     * A standby (the master's {@code --standby}): it starts and warms up like any worker, then
     * takes nothing from the shared listener until the master's PROMOTE, sent when a worker dies:
     * the dead worker's clients, reconnecting at once, meet a warm worker, not a JVM starting.
     */
    public final boolean standby;

    /** A configuration with the default RTMP settings. */
    public WorkerConfig(
        final int slot, final int maxClients, final long idleTimeoutMs, final int outputCapBytes, final long drainTimeoutMs,
        final long lingerTimeoutMs, final Path runDir)
    {
        this(slot, maxClients, idleTimeoutMs, outputCapBytes, drainTimeoutMs, lingerTimeoutMs, runDir, RtmpSettings.DEFAULTS);
    }

    public WorkerConfig(
        final int slot, final int maxClients, final long idleTimeoutMs, final int outputCapBytes, final long drainTimeoutMs,
        final long lingerTimeoutMs, final Path runDir, final RtmpSettings rtmp)
    {
        this(slot, maxClients, idleTimeoutMs, outputCapBytes, drainTimeoutMs, lingerTimeoutMs, runDir, rtmp, 0, false, false, false);
    }

    /**
     * Sockets a worker with {@code maxClients} keeps beside the clients it serves, each kind: in
     * transit (accepted, first frame not read yet, so that a full worker still accepts, routes
     * other shards' clients and refuses the rest readably) and lingering after a refusal.
     */
    public static int headroomFor(final int maxClients)
    {
        return Math.min(MAX_HEADROOM, Math.max(MIN_HEADROOM, maxClients / HEADROOM_DIVISOR));
    }

    /** Fds a worker needs at most for {@code maxClients}: clients, transit, lingering, reserve. */
    public static long fdsNeeded(final int maxClients)
    {
        return maxClients + 2L * headroomFor(maxClients) + RESERVED_FDS;
    }

    /**
     * The most clients a worker can serve under an fd limit ({@code RLIMIT_NOFILE}'s hard limit:
     * HotSpot raises the soft limit to it at start-up): 17 888 under the 20 000 of our machines.
     */
    public static int defaultMaxClients(final long fdLimit)
    {
        if (fdLimit <= 0 || fdLimit >= Integer.MAX_VALUE)
        {
            return defaultMaxClients(Integer.MAX_VALUE / 2);
        }
        int low = 1;
        int high = (int)fdLimit;
        while (low < high)
        {
            final int middle = (low + high + 1) >>> 1;
            if (fdsNeeded(middle) <= fdLimit)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return low;
    }

    /** Clients in transit at most (see {@link #headroomFor}). */
    public int transitSlots()
    {
        return headroomFor(maxClients);
    }

    /** Sockets lingering at once at most (see {@link #headroomFor}). */
    public int lingerCapacity()
    {
        return headroomFor(maxClients);
    }

    /** The same settings for another slot. */
    public WorkerConfig forSlot(final int newSlot)
    {
        return copy(newSlot, rtmp, warmUpClients, acceptWhenWarm, idleUntilWarm, standby);
    }

    /** The same settings with these RTMP settings. */
    public WorkerConfig withRtmp(final RtmpSettings settings)
    {
        return copy(slot, settings, warmUpClients, acceptWhenWarm, idleUntilWarm, standby);
    }

    /** The same settings with {@code clients} warm-up clients (see {@link #warmUpClients}). */
    public WorkerConfig withWarmUp(final int clients)
    {
        if (clients < 0)
        {
            throw new IllegalArgumentException("warm-up clients must not be negative, got " + clients);
        }
        return copy(slot, rtmp, clients, acceptWhenWarm, idleUntilWarm, standby);
    }

    /** The same settings, accepting only once warm or at once (see {@link #acceptWhenWarm}). */
    public WorkerConfig withAcceptWhenWarm(final boolean whenWarm)
    {
        return copy(slot, rtmp, warmUpClients, whenWarm, idleUntilWarm, standby);
    }

    /** The same settings, saying whether the worker was started in SCHED_IDLE (see {@link #idleUntilWarm}). */
    public WorkerConfig withIdleUntilWarm(final boolean idle)
    {
        return copy(slot, rtmp, warmUpClients, acceptWhenWarm, idle, standby);
    }

    /** The same settings, as a standby or not (see {@link #standby}). */
    public WorkerConfig withStandby(final boolean asStandby)
    {
        return copy(slot, rtmp, warmUpClients, acceptWhenWarm, idleUntilWarm, asStandby);
    }

    private WorkerConfig copy(
        final int newSlot, final RtmpSettings settings, final int clients, final boolean whenWarm, final boolean idle, final boolean asStandby)
    {
        return new WorkerConfig(newSlot, maxClients, idleTimeoutNanos / 1_000_000L, outputCapBytes,
            drainTimeoutNanos / 1_000_000L, lingerTimeoutNanos / 1_000_000L, runDir, settings, clients, whenWarm, idle, asStandby);
    }

    private WorkerConfig(
        final int slot, final int maxClients, final long idleTimeoutMs, final int outputCapBytes, final long drainTimeoutMs,
        final long lingerTimeoutMs, final Path runDir, final RtmpSettings rtmp, final int warmUpClients,
        final boolean acceptWhenWarm, final boolean idleUntilWarm, final boolean standby)
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
        if (lingerTimeoutMs < 1)
        {
            throw new IllegalArgumentException("linger timeout must be at least 1 ms, got " + lingerTimeoutMs);
        }
        this.slot = slot;
        this.maxClients = maxClients;
        this.idleTimeoutNanos = idleTimeoutMs * 1_000_000L;
        this.outputCapBytes = outputCapBytes;
        this.drainTimeoutNanos = Math.max(0, drainTimeoutMs) * 1_000_000L;
        this.lingerTimeoutNanos = lingerTimeoutMs * 1_000_000L;
        this.runDir = runDir;
        this.rtmp = rtmp;
        this.warmUpClients = warmUpClients;
        this.acceptWhenWarm = acceptWhenWarm;
        this.idleUntilWarm = idleUntilWarm;
        this.standby = standby;
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
            ARG_DRAIN_TIMEOUT_MS, Long.toString(drainTimeoutNanos / 1_000_000L),
            ARG_LINGER_TIMEOUT_MS, Long.toString(lingerTimeoutNanos / 1_000_000L),
            ARG_SHARD_BY, rtmp.shardBy.optionValue(),
            ARG_GOP_CACHE, Integer.toString(rtmp.gopCacheBytes),
            ARG_GOP_CACHE_FRAMES, Integer.toString(rtmp.gopCacheFrames),
            ARG_GOP_CACHE_TOTAL, Long.toString(rtmp.gopCacheTotalBytes)));
        if (null != runDir)
        {
            arguments.add(ARG_RUN_DIR);
            arguments.add(runDir.toString());
        }
        if (warmUpClients > 0)
        {
            arguments.add(ARG_WARM_UP_CLIENTS);
            arguments.add(Integer.toString(warmUpClients));
        }
        if (acceptWhenWarm)
        {
            arguments.add(ARG_ACCEPT_WHEN_WARM);
            arguments.add("1");
        }
        if (idleUntilWarm)
        {
            arguments.add(ARG_IDLE_UNTIL_WARM);
            arguments.add("1");
        }
        if (standby)
        {
            arguments.add(ARG_STANDBY);
            arguments.add("1");
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
        final String shardBy = values.get(ARG_SHARD_BY);
        if (null == shardBy)
        {
            throw new IllegalArgumentException("argument " + ARG_SHARD_BY + " is missing");
        }
        final RtmpSettings rtmp = new RtmpSettings(ShardBy.parse(shardBy),
            (int)number(values, ARG_GOP_CACHE, 0, Integer.MAX_VALUE),
            (int)number(values, ARG_GOP_CACHE_FRAMES, 1, Integer.MAX_VALUE),
            number(values, ARG_GOP_CACHE_TOTAL, 0, Long.MAX_VALUE));
        return new WorkerConfig(
            (int)number(values, ARG_SLOT, 0, Integer.MAX_VALUE),
            (int)number(values, ARG_MAX_CLIENTS, 1, Integer.MAX_VALUE),
            number(values, ARG_IDLE_TIMEOUT_MS, 1, Long.MAX_VALUE / 1_000_000L),
            (int)number(values, ARG_OUTPUT_CAP, MIN_OUTPUT_CAP, Integer.MAX_VALUE),
            number(values, ARG_DRAIN_TIMEOUT_MS, 0, Long.MAX_VALUE / 1_000_000L),
            number(values, ARG_LINGER_TIMEOUT_MS, 1, Long.MAX_VALUE / 1_000_000L),
            null == runDir ? null : Path.of(runDir),
            rtmp).withWarmUp(values.containsKey(ARG_WARM_UP_CLIENTS) ? (int)number(values, ARG_WARM_UP_CLIENTS, 0, Integer.MAX_VALUE) : 0)
            .withAcceptWhenWarm(values.containsKey(ARG_ACCEPT_WHEN_WARM) && 1 == number(values, ARG_ACCEPT_WHEN_WARM, 0, 1))
            .withIdleUntilWarm(values.containsKey(ARG_IDLE_UNTIL_WARM) && 1 == number(values, ARG_IDLE_UNTIL_WARM, 0, 1))
            .withStandby(values.containsKey(ARG_STANDBY) && 1 == number(values, ARG_STANDBY, 0, 1));
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
