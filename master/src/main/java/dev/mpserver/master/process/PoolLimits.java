package dev.mpserver.master.process;

/**
 * How many workers the supervisor keeps (seed 003's prefork pool), and when.
 *
 * @param workers    live workers at least (--workers)
 * @param maxWorkers live workers and standbys at most (--max-workers)
 * @param minSpare   workers with no client to keep ready, within maxWorkers (--min-spare)
 * @param maxSpare   such workers beyond which idle ones above {@code workers} retire (--max-spare)
 * @param maxServed  clients after which a worker is recycled; 0 = never (--max-served)
 * @param standby    warm workers kept off the listener, promoted when a worker dies (--standby)
 * @param standbyDelayNanos a standby starts this long after a start, a reload's switch or a promotion (--standby-delay)
 */
public record PoolLimits(int workers, int maxWorkers, int minSpare, int maxSpare, long maxServed, int standby, long standbyDelayNanos)
{
    /**
     * --standby-delay's default. Workers meet clients fresh after the pool's first warm-up (the
     * start), a reload's switch to the new generation and a promotion (a dead worker's clients
     * reconnect at once): for these 5 s they serve alone, not beside a JVM that starts (its start
     * stalls a serving thread for a scheduler tick at a time here; docs/benchmarks.md, tenth to
     * twelfth sessions). A death meanwhile gets a replacement as without a standby.
     */
    public static final long DEFAULT_STANDBY_DELAY_NANOS = 5_000_000_000L;

    /** Standbys after the default delay. */
    public PoolLimits(final int workers, final int maxWorkers, final int minSpare, final int maxSpare, final long maxServed, final int standby)
    {
        this(workers, maxWorkers, minSpare, maxSpare, maxServed, standby, DEFAULT_STANDBY_DELAY_NANOS);
    }

    /** Limits without standbys. */
    public PoolLimits(final int workers, final int maxWorkers, final int minSpare, final int maxSpare, final long maxServed)
    {
        this(workers, maxWorkers, minSpare, maxSpare, maxServed, 0);
    }
}
