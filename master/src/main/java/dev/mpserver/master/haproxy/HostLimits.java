package dev.mpserver.master.haproxy;

/**
 * What one mpserver host can take, from its own options, and the balancer figures derived from it.
 *
 * <pre>
 *   host capacity    = --max-workers x --max-clients      clients one host serves before it answers 'E' 2
 *   balancer timeout = --idle-timeout + IDLE_MARGIN_MS    so that mpserver, not HAProxy, ends an idle client
 * </pre>
 *
 * @param maxWorkers    the hosts' {@code --max-workers}.
 * @param maxClients    the hosts' {@code --max-clients} (per worker).
 * @param idleTimeoutMs the hosts' {@code --idle-timeout}.
 */
public record HostLimits(int maxWorkers, int maxClients, long idleTimeoutMs)
{
    /**
     * HAProxy's client and server timeouts exceed mpserver's idle timeout by this much: an idle
     * client then gets mpserver's 'E' 4 and a clean close, never a silent cut by the balancer.
     */
    public static final long IDLE_MARGIN_MS = 10_000;

    public HostLimits
    {
        if (maxWorkers < 1 || maxClients < 1 || idleTimeoutMs < 1)
        {
            throw new IllegalArgumentException("--max-workers, --max-clients and --idle-timeout must be positive");
        }
    }

    /** Clients one host serves at most. */
    public long capacity()
    {
        return (long)maxWorkers * maxClients;
    }

    /** HAProxy's {@code timeout client} and {@code timeout server}. */
    public long balancerTimeoutMs()
    {
        return idleTimeoutMs + IDLE_MARGIN_MS;
    }
}
