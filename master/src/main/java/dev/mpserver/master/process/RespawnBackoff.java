package dev.mpserver.master.process;

/**
 * How long the supervisor waits before it starts workers to replace dead ones, so that a worker
 * that cannot live (a bad JVM option, a full disk, a crash at start) does not turn the master into
 * a fork loop of JVM starts, each a good part of a second of a core. nginx has no such thing.
 *
 * <pre>
 *   a worker dies, having lived   delay before the next respawn
 *   ───────────────────────────   ─────────────────────────────────────────────────────
 *   less than 2 s ("young")       doubled: 100 ms, 200 ms, 400 ms ... capped at 10 s
 *   2 s or more                   none: a one-off death is replaced at once, and the
 *                                 next young death starts again at 100 ms
 *   (a spawn that failed)         100 ms, without touching the doubling
 * </pre>
 *
 * Only the supervisor's own respawns (keeping {@code --workers} and {@code --min-spare}) wait;
 * a spawn that a client needs right now, a reload or a recycle does not.
 */
public final class RespawnBackoff
{
    public static final long MIN_DELAY_NANOS = 100_000_000L;
    public static final long MAX_DELAY_NANOS = 10_000_000_000L;
    /** A worker that dies younger than this counts as a crash. */
    public static final long YOUNG_NANOS = 2_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private long delayNanos;
    private long notBeforeNanos = Long.MIN_VALUE;

    /**
     * A worker spawned at {@code spawnedAtNanos} died at {@code nowNanos} (not when it was told to
     * stop, and not with the fatal status: the supervisor does not respawn those).
     *
     * @return true if it died young: a crash
     */
    public boolean onDeath(final long spawnedAtNanos, final long nowNanos)
    {
        final boolean young = nowNanos - spawnedAtNanos < YOUNG_NANOS;
        delayNanos = young ? Math.min(MAX_DELAY_NANOS, Math.max(MIN_DELAY_NANOS, delayNanos * 2)) : 0;
        notBeforeNanos = nowNanos + delayNanos;
        return young;
    }

    /** A spawn failed (no free slot, or the OS said no): try again after the minimum delay. */
    public void onSpawnFailed(final long nowNanos)
    {
        notBeforeNanos = nowNanos + MIN_DELAY_NANOS;
    }

    public boolean allowsSpawnAt(final long nowNanos)
    {
        return nowNanos >= notBeforeNanos;
    }

    /** The current delay (0 after a worker that lived long enough). */
    public long delayMillis()
    {
        return delayNanos / NANOS_PER_MILLI;
    }
}
