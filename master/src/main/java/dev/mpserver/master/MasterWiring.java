package dev.mpserver.master;

import java.nio.file.Path;
import java.util.function.IntConsumer;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.master.process.ShutdownSequence;
import dev.mpserver.master.process.Supervisor;
import dev.mpserver.master.process.WorkerCommands;
import dev.mpserver.master.process.WorkerProcesses;
import dev.mpserver.master.process.WorkerSpawner;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.pump.ChannelPump;
import dev.mpserver.master.routing.ClientRefusal;
import dev.mpserver.master.routing.HandoffRouter;
import dev.mpserver.master.routing.Placement;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.protocol.counters.HopLatency;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The master's routing graph, wired in this one place for the three that run it: the master
 * process ({@link Master}), its rehearsal before the ready line ({@link MasterRehearsal}), and the
 * tests' in-process master. What differs between them comes in: the worker table and shard
 * table (sized by each), the {@link WorkerProcesses} (real, none, or socketpairs with made-up
 * pids), the counters and the clock, and the {@link Settings}.
 *
 * <pre>
 *   ChannelPump ──▶ WorkerFrameDispatcher ──▶ Supervisor ──▶ WorkerSpawner ──▶ WorkerProcesses
 *        │                   │                    │      └──▶ WorkerCommands ──┘
 *        │                   ▼                    ▼
 *        └─────────────▶ HandoffRouter ──▶ ShardTable, Placement (spawns through WorkerSpawner),
 *                                          ClientRefusal, ShutdownSequence
 * </pre>
 */
final class MasterWiring
{
    /**
     * What a master is told.
     *
     * @param masterPid          the pid frames and commands name as the master's
     * @param limits             the pool's bounds; placement spawns up to {@code limits.maxWorkers()}
     * @param workerCapacity     shards a worker owns at most (--worker-capacity)
     * @param maxClients         a worker's --max-clients: a LOAD below it clears a RETURN's "full"
     * @param handoffQueue       clients a STARTING worker's slot may hold for it
     * @param idleStarts         whether replacements start in SCHED_IDLE
     * @param lingerNanos        how long a refused client's 'E' may linger before its close
     * @param drainTimeoutMs     a stop's drain bound
     * @param gracePeriodMs      a stop's SIGTERM-to-SIGKILL grace
     * @param shardTtlMs         how long an emptied shard stays with its worker
     * @param runDir             the run directory, where exited workers' counters files are
     */
    record Settings(
        int masterPid, PoolLimits limits, int workerCapacity, int maxClients, int handoffQueue, boolean idleStarts,
        long lingerNanos, long drainTimeoutMs, long gracePeriodMs, long shardTtlMs, Path runDir)
    {
    }

    final WorkerSpawner spawner;
    final ClientRefusal refusal;
    final ShutdownSequence shutdown;
    final Placement placement;
    final HandoffRouter router;
    final Supervisor supervisor;
    final ChannelPump pump;

    /**
     * @param allReady  told the number of READY workers each time the ready line is due
     * @param toMaster  where each hand-off's trip from its worker's post to the master's read is timed
     */
    MasterWiring(
        final Settings settings, final WorkerTable table, final ShardTable shards, final WorkerProcesses processes,
        final MasterCounters counters, final CachedNanoClock clock, final IntConsumer allReady, final HopLatency toMaster)
    {
        spawner = new WorkerSpawner(table, processes, counters, clock, settings.handoffQueue(), settings.idleStarts());
        final WorkerCommands commands = new WorkerCommands(processes, counters, settings.masterPid());
        refusal = new ClientRefusal(counters, clock, settings.lingerNanos());
        shutdown = new ShutdownSequence(
            table, commands, refusal.shuttingDown(), clock, settings.drainTimeoutMs(), settings.gracePeriodMs());
        placement = new Placement(table, settings.workerCapacity(), settings.limits().maxWorkers(),
            this::promoteStandbyForClients, spawner::spawnForClients);
        router = new HandoffRouter(
            table, shards, placement, refusal, shutdown, counters, clock, settings.masterPid(), settings.shardTtlMs());
        supervisor = new Supervisor(table, spawner, processes, commands, router, shutdown, counters, clock, settings.limits(),
            settings.runDir(), allReady);
        pump = new ChannelPump(
            table, new WorkerFrameDispatcher(supervisor, router, counters, settings.maxClients(), toMaster), router, counters);
    }

    /** The supervisor is built after the router this placement serves; it is there by the first client. */
    private int promoteStandbyForClients()
    {
        return supervisor.promoteStandbyForClients();
    }
}
