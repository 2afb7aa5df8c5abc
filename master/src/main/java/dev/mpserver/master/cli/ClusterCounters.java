package dev.mpserver.master.cli;

import java.util.List;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * The counters of several mpserver hosts, one run directory each, added up into the cluster's.
 * Counts (accepts, messages, hand-offs, ...) are summed over every host, live or not, as a host's own
 * totals keep its exited workers. Levels (workers, clients, shards, hand-offs waiting) are summed over
 * the hosts whose master is running. Per-host settings and readings where a sum means nothing (the
 * signal queue, respawn backoff, spawn time) show the highest host's; the busiest shard is the
 * busiest of any host.
 */
final class ClusterCounters
{
    /** One host: the name it is shown under and its counters. */
    record Host(String name, RunDirCounters counters)
    {
        boolean running()
        {
            return null != counters.master() && counters.master().alive();
        }
    }

    private final List<Host> hosts;

    ClusterCounters(final List<Host> hosts)
    {
        this.hosts = List.copyOf(hosts);
    }

    List<Host> hosts()
    {
        return hosts;
    }

    int running()
    {
        int running = 0;
        for (final Host host : hosts)
        {
            running += host.running() ? 1 : 0;
        }
        return running;
    }

    long master(final MasterCounter counter)
    {
        long value = 0;
        for (final Host host : hosts)
        {
            if (isHighest(counter))
            {
                value = Math.max(value, host.counters().master(counter));
            }
            else if (!counter.isGauge() || host.running())
            {
                value += host.counters().master(counter);
            }
        }
        return value;
    }

    long total(final WorkerCounter counter)
    {
        if (counter == WorkerCounter.BUSIEST_SHARD || counter == WorkerCounter.BUSIEST_SHARD_CLIENTS)
        {
            final Host busiest = busiestShardHost();
            return null == busiest ? 0 : busiest.counters().total(counter);
        }
        long sum = 0;
        for (final Host host : hosts)
        {
            final long value = host.counters().total(counter); // gauges: live workers only, so a stopped host adds nothing
            sum = counter.aggregate() == WorkerCounter.Aggregate.MAXIMUM ? Math.max(sum, value) : sum + value;
        }
        return sum;
    }

    /** The host whose busiest shard has the most clients, or null when no host has a live worker. */
    Host busiestShardHost()
    {
        Host busiest = null;
        for (final Host host : hosts)
        {
            final long clients = host.counters().total(WorkerCounter.BUSIEST_SHARD_CLIENTS);
            if (clients > 0 && (null == busiest || clients > busiest.counters().total(WorkerCounter.BUSIEST_SHARD_CLIENTS)))
            {
                busiest = host;
            }
        }
        return busiest;
    }

    /** Per-host readings that a sum would make meaningless. */
    static boolean isHighest(final MasterCounter counter)
    {
        return counter == MasterCounter.SIGQ_QUEUED || counter == MasterCounter.SIGQ_LIMIT
            || counter == MasterCounter.RESPAWN_BACKOFF_MS || counter == MasterCounter.LAST_SPAWN_TO_READY_MS;
    }
}
