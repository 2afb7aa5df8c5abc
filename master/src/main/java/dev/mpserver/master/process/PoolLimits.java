package dev.mpserver.master.process;

/**
 * How many workers the supervisor keeps (seed 003's prefork pool).
 *
 * @param workers    live workers at least (--workers)
 * @param maxWorkers live workers at most (--max-workers)
 * @param minSpare   workers with no client to keep ready, within maxWorkers (--min-spare)
 * @param maxSpare   such workers beyond which idle ones above {@code workers} retire (--max-spare)
 * @param maxServed  clients after which a worker is recycled; 0 = never (--max-served)
 * @param standby    warm workers kept off the listener, promoted when a worker dies (--standby)
 */
public record PoolLimits(int workers, int maxWorkers, int minSpare, int maxSpare, long maxServed, int standby)
{
    /** Limits without standbys. */
    public PoolLimits(final int workers, final int maxWorkers, final int minSpare, final int maxSpare, final long maxServed)
    {
        this(workers, maxWorkers, minSpare, maxSpare, maxServed, 0);
    }
}
