package dev.mpserver.master.process;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.PosixException;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Starts a worker in a free slot of the current generation. The one way a worker comes to be:
 * the supervisor (minimum pool, spares, reload, recycling) and placement (a shard no worker can
 * take) both spawn through it, each with its own reason for when.
 *
 * <p>While others are warm, a new worker takes no client until it is warm too; one the supervisor
 * starts (a replacement, a reload's generation, a spare) also starts in SCHED_IDLE where the
 * master found that a process may leave it again: its JVM start, JIT compilation and warm-up then
 * take only CPU the serving workers leave (issue 16: the first clients after a respawn met a p99 of
 * 3x warm while a replacement started beside them at the same priority; measured 1.5x started
 * idle). One placement starts has clients waiting for its READY, so it starts as any process.
 */
public final class WorkerSpawner
{
    private static final Logger LOG = LogManager.getLogger(WorkerSpawner.class);
    private static final long BUILD_CHANGE_LOG_INTERVAL_NANOS = 60_000_000_000L;
    private static final long NEVER = Long.MIN_VALUE;

    private final WorkerTable table;
    private final WorkerProcesses processes;
    private final MasterCounters counters;
    private final CachedNanoClock clock;
    private final int handoffQueue;
    private final boolean idleStarts;
    private long buildChangeLoggedNanos = NEVER;

    /**
     * @param handoffQueue frames that may wait in a worker's channel queue (--handoff-queue)
     * @param idleStarts   a process may leave SCHED_IDLE here ({@code Posix.canLeaveIdlePolicy})
     */
    public WorkerSpawner(
        final WorkerTable table, final WorkerProcesses processes, final MasterCounters counters, final CachedNanoClock clock,
        final int handoffQueue, final boolean idleStarts)
    {
        this.table = table;
        this.processes = processes;
        this.counters = counters;
        this.clock = clock;
        this.handoffQueue = handoffQueue;
        this.idleStarts = idleStarts;
    }

    /** A worker the supervisor wants: @return its slot's index, or {@link WorkerSlot#NO_SLOT} */
    public int spawn()
    {
        return spawn(idleStarts, false);
    }

    /**
     * A standby the supervisor keeps (--standby): started as a replacement is, then held off the
     * listener until promoted. @return its slot's index, or {@link WorkerSlot#NO_SLOT}
     */
    public int spawnStandby()
    {
        return spawn(idleStarts, true);
    }

    /** A worker clients will wait for (placement): @return its slot's index, or {@link WorkerSlot#NO_SLOT} */
    public int spawnForClients()
    {
        return spawn(false, false);
    }

    /** @return the index of the slot of a new STARTING worker, or {@link WorkerSlot#NO_SLOT} */
    private int spawn(final boolean idleWhileOthersServe, final boolean standby)
    {
        final WorkerSlot slot = table.freeSlot();
        if (null == slot)
        {
            return WorkerSlot.NO_SLOT;
        }
        final String buildChange = processes.buildChange();
        if (null != buildChange)
        {
            counters.increment(MasterCounter.SPAWN_FAILURES);
            // The supervisor retries every 100 ms: said once a minute, counted every time.
            if (buildChangeLoggedNanos == NEVER || clock.nanoTime() - buildChangeLoggedNanos >= BUILD_CHANGE_LOG_INTERVAL_NANOS)
            {
                buildChangeLoggedNanos = clock.nanoTime();
                LOG.error("cannot start a worker: its jars are no longer this master's build ({}); restart mpserver to run "
                    + "the new one (said once a minute; 'spawn failures' counts every attempt)", buildChange);
            }
            return WorkerSlot.NO_SLOT;
        }
        final SpawnedWorker worker;
        try
        {
            // While others are warm and accepting, the new worker's cold code takes no client (issue 16's respawn).
            final boolean othersServe = table.warm() > 0;
            worker = processes.spawn(slot.index, othersServe, othersServe && idleWhileOthersServe, standby);
        }
        catch (final PosixException ex)
        {
            counters.increment(MasterCounter.SPAWN_FAILURES);
            LOG.error("cannot start a worker: {}", ex.getMessage());
            return WorkerSlot.NO_SLOT;
        }
        slot.start(worker.pid(), table.generation(), new Channel(worker.channelFd(), handoffQueue), standby, clock.nanoTime());
        table.attach(slot);
        counters.increment(MasterCounter.SPAWNS);
        LOG.info("spawned {} {} in slot {} (generation {})", standby ? "standby" : "worker", slot.pid, slot.index, slot.generation);
        return slot.index;
    }
}
