package dev.mpserver.master.process;

import java.nio.file.Path;
import java.util.function.IntConsumer;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.launch.WorkerLaunch;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.Signals;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Keeps the pool of workers, as nginx's master keeps its children and seed 003 its prefork pool:
 * <ul>
 *   <li><b>start</b>: {@code --workers} at start-up; the ready line once that many are warm (READY,
 *       then WARM once their own warm-up clients are served: the first real clients meet warm
 *       workers; a worker that never says WARM counts as warm {@link #WARM_WAIT_NANOS} after READY);</li>
 *   <li><b>reap</b> on SIGCHLD (and after a rescan, as SIGCHLD coalesces): {@code waitpid} on each
 *       known pid, never on -1; a reaped worker's shards and clients go elsewhere, its counters
 *       join the totals of exited workers;</li>
 *   <li><b>respawn</b> to keep {@code --workers} live and {@code --min-spare} idle, after the
 *       {@link RespawnBackoff} delay when workers die young; never a worker that exited with
 *       {@link WorkerLaunch#EXIT_FATAL_CONFIG} (2: its configuration cannot work; when none is left
 *       the master stops with 2 too), nor one that was told to stop;</li>
 *   <li><b>stand by</b> with {@code --standby} workers a while after the pool is warm: started like a
 *       replacement, warmed up, then held off the listener; when a worker dies a standby takes its
 *       place at once (PROMOTE), so that its clients, reconnecting, meet a warm worker and no
 *       JVM start, and a new standby starts {@link PoolLimits#standbyDelayNanos} later, within
 *       {@code --max-workers}; placement promotes one too, before it would start a new worker;</li>
 *   <li><b>retire</b> (on the tick) idle workers above {@code --workers} beyond {@code --max-spare},
 *       and <b>recycle</b> a worker after {@code --max-served} clients, promoting a standby or
 *       starting a replacement;</li>
 *   <li><b>reload</b> (SIGHUP): a new generation of {@code --workers} starts; the old one serves new
 *       shards until the new one is warm, then every live worker of an older generation drains: it
 *       keeps its clients, new clients of its shards go to the new generation.</li>
 * </ul>
 * It owns no process calls itself ({@link WorkerProcesses}, {@link WorkerSpawner}): its policy can
 * be driven in a test with made-up pids and exit statuses.
 */
public final class Supervisor
{
    private static final Logger LOG = LogManager.getLogger(Supervisor.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** A READY worker that has not said WARM this long after READY is taken as warm (a worker without warm-up). */
    static final long WARM_WAIT_NANOS = 10_000_000_000L;
    /**
     * A worker whose channel closed is replaced once reaped, because its exit status decides
     * whether to (status 2, a fatal configuration, is not); one not reaped this long after is
     * replaced anyway.
     */
    static final long REAP_WAIT_NANOS = 1_000_000_000L;

    private final WorkerTable table;
    private final WorkerSpawner spawner;
    private final WorkerProcesses processes;
    private final WorkerCommands commands;
    private final WorkerRouting routing;
    private final ShutdownSequence shutdown;
    private final RespawnBackoff backoff = new RespawnBackoff();
    private final MasterCounters counters;
    private final CachedNanoClock clock;
    private final PoolLimits limits;
    private final Path runDir;
    private final IntConsumer allReady;

    private boolean announced;
    private boolean fatalWorkerExit;
    /** A reload started: the older generations drain once the current one is warm. */
    private boolean reloadPending;
    /** No standby starts before this (see {@link PoolLimits#DEFAULT_STANDBY_DELAY_NANOS}); set at the announce, a reload's switch, a promotion. */
    private long standbyNotBeforeNanos;

    /**
     * @param runDir   where exited workers' counters files are
     * @param allReady told once, with how many are READY, when {@code --workers} first are
     */
    public Supervisor(
        final WorkerTable table, final WorkerSpawner spawner, final WorkerProcesses processes, final WorkerCommands commands,
        final WorkerRouting routing, final ShutdownSequence shutdown, final MasterCounters counters, final CachedNanoClock clock,
        final PoolLimits limits, final Path runDir, final IntConsumer allReady)
    {
        this.table = table;
        this.spawner = spawner;
        this.processes = processes;
        this.commands = commands;
        this.routing = routing;
        this.shutdown = shutdown;
        this.counters = counters;
        this.clock = clock;
        this.limits = limits;
        this.runDir = runDir;
        this.allReady = allReady;
    }

    public void startWorkers()
    {
        for (int i = 0; i < limits.workers(); i++)
        {
            spawner.spawn();
        }
    }

    /** True once a worker exited with the fatal-configuration status: the master will not replace it. */
    public boolean fatalWorkerExit()
    {
        return fatalWorkerExit;
    }

    /** The worker said READY. */
    public void onReady(final WorkerSlot slot)
    {
        if (slot.state != WorkerSlot.STARTING)
        {
            return;
        }
        final long nowNanos = clock.nanoTime();
        slot.state = WorkerSlot.READY;
        slot.readyAtNanos = nowNanos;
        counters.set(MasterCounter.LAST_SPAWN_TO_READY_MS, (nowNanos - slot.spawnedAtNanos) / NANOS_PER_MILLI);
        LOG.info("worker {} (slot {}) ready in {} ms", slot.pid, slot.index, (nowNanos - slot.spawnedAtNanos) / NANOS_PER_MILLI);
        routing.onWorkerReady(slot);
        announceWhenWarm();
    }

    /** The worker said WARM: its warm-up is done; it gets new shards before any worker that is not. */
    public void onWarm(final WorkerSlot slot)
    {
        if (slot.state != WorkerSlot.READY || slot.warm)
        {
            return;
        }
        slot.warm = true;
        final long millis = (clock.nanoTime() - slot.spawnedAtNanos) / NANOS_PER_MILLI;
        counters.set(MasterCounter.LAST_SPAWN_TO_WARM_MS, millis);
        LOG.info("worker {} (slot {}) warm in {} ms", slot.pid, slot.index, millis);
        announceWhenWarm();
        finishReloadWhenWarm();
    }

    private void announceWhenWarm()
    {
        if (!announced && table.warm() >= limits.workers())
        {
            announced = true;
            delayStandbys();
            allReady.accept(table.ready());
        }
    }

    /** The old generation drains once every live worker of the current one is warm. */
    private void finishReloadWhenWarm()
    {
        if (!reloadPending)
        {
            return;
        }
        final int generation = table.generation();
        int current = 0;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.isLive() && slot.generation == generation)
            {
                if (!slot.warm)
                {
                    return;
                }
                current++;
            }
        }
        if (current == 0)
        {
            return;
        }
        reloadPending = false;
        delayStandbys();
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.isLive() && slot.generation != generation)
            {
                drain(slot, "reload");
            }
        }
    }

    /** Workers READY for {@link #WARM_WAIT_NANOS} without a WARM count as warm (they have no warm-up). */
    private void warmTheSilent()
    {
        final long nowNanos = clock.nanoTime();
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.state == WorkerSlot.READY && !slot.warm && nowNanos - slot.readyAtNanos >= WARM_WAIT_NANOS)
            {
                LOG.warn("worker {} (slot {}) did not say WARM within {} ms of READY: taken as warm", slot.pid, slot.index,
                    WARM_WAIT_NANOS / NANOS_PER_MILLI);
                onWarm(slot);
            }
        }
    }

    /** {@code waitpid} on each known pid; then the pool is brought back to its minimum. */
    public void reap()
    {
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (!slot.hasProcess())
            {
                continue;
            }
            final int status;
            try
            {
                status = processes.reap(slot.pid);
            }
            catch (final PosixException ex)
            {
                LOG.error("waitpid({}) failed: {}", slot.pid, ex.getMessage());
                continue;
            }
            if (status >= 0)
            {
                onExit(slot, Posix.exitCode(status));
            }
        }
        keepMinimumWorkers();
    }

    /** On the tick, while running: replace, retire and recycle workers. */
    public void onTick()
    {
        if (shutdown.isRunning())
        {
            warmTheSilent();
            keepMinimumWorkers();
            retireExtraWorkers();
        }
    }

    /** SIGHUP: a new generation; the old one drains. Nothing once a stop began. */
    public void reload()
    {
        if (!shutdown.isRunning())
        {
            return;
        }
        final String buildChange = processes.buildChange();
        if (null != buildChange)
        {
            LOG.error("SIGHUP refused: the workers' jars changed since this master started ({}). A reload starts workers "
                + "of the master's own build only; the running generation keeps serving. Restart mpserver to run the new build",
                buildChange);
            counters.increment(MasterCounter.RELOADS_REFUSED);
            return;
        }
        final int generation = table.nextGeneration();
        LOG.info("SIGHUP: starting worker generation {}; the old generation serves until it is warm, then drains", generation);
        drainStandbys("reload: the new generation gets its own once warm");
        for (int i = 0; i < limits.workers(); i++)
        {
            spawner.spawn();
        }
        reloadPending = true;
    }

    private void onExit(final WorkerSlot slot, final int exitCode)
    {
        // Not slot.state: a worker's channel closes as it exits, and that (read before the reap, as
        // a rule) turns a DRAINING slot GONE; every drained worker was then a death.
        final boolean toldToStop = slot.wasToldToQuit();
        final boolean wasStandby = slot.standby;
        routing.onWorkerLost(slot, "exited with " + describeExit(exitCode));
        counters.add(MasterCounter.FRAMES_OUT, slot.takeFramesOut());
        table.release(slot);
        counters.increment(MasterCounter.DEATHS);
        counters.retireWorker(runDir, slot.pid);
        if (!shutdown.isRunning() || toldToStop)
        {
            return;
        }
        if (exitCode == WorkerLaunch.EXIT_FATAL_CONFIG)
        {
            fatalWorkerExit = true;
            LOG.error("worker {} exited with status 2 (fatal configuration error): not respawning", slot.pid);
            if (0 == table.live())
            {
                drainStandbys("no worker left to stand by for");
            }
            return;
        }
        LOG.warn("{} {} (slot {}) died: {}", wasStandby ? "standby" : "worker", slot.pid, slot.index, describeExit(exitCode));
        if (!wasStandby)
        {
            promoteStandby("in its place");
        }
        if (backoff.onDeath(slot.spawnedAtNanos, clock.nanoTime()))
        {
            counters.increment(MasterCounter.CRASHES);
            LOG.warn("workers are dying fast; next respawn in {} ms", backoff.delayMillis());
        }
        counters.set(MasterCounter.RESPAWN_BACKOFF_MS, backoff.delayMillis());
    }

    /**
     * Placement found no worker with room for a new shard: a standby takes it, rather than a new
     * worker, as it is warm (its clients meet no JVM start) and already counted in --max-workers.
     *
     * @return the promoted standby's slot, or {@link WorkerSlot#NO_SLOT} if there was none
     */
    public int promoteStandbyForClients()
    {
        final WorkerSlot standby = promoteStandby("for a new shard no worker has room for");
        return null == standby ? WorkerSlot.NO_SLOT : standby.index;
    }

    /**
     * A worker died or is recycled, or a new shard has no worker with room: a standby of the
     * current generation takes the place at once, warm or, if still starting, once warm.
     *
     * @return the promoted standby, or null if none was
     */
    private WorkerSlot promoteStandby(final String why)
    {
        final WorkerSlot standby = table.standbyToPromote();
        if (null == standby)
        {
            return null;
        }
        standby.standby = false;
        if (!commands.promote(standby))
        {
            // Off the listener for good: not a standby any more, and no worker either.
            drain(standby, "its channel cannot take PROMOTE");
            return null;
        }
        counters.increment(MasterCounter.PROMOTIONS);
        delayStandbys();
        LOG.info("standby {} (slot {}) promoted {}{}; no standby starts for {} ms", standby.pid, standby.index, why,
            standby.warm ? "" : ", it accepts once warm", limits.standbyDelayNanos() / NANOS_PER_MILLI);
        return standby;
    }

    private void delayStandbys()
    {
        standbyNotBeforeNanos = clock.nanoTime() + limits.standbyDelayNanos();
    }

    private void drainStandbys(final String why)
    {
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.isStandingBy())
            {
                drain(slot, "standby, " + why);
            }
        }
    }

    private void keepMinimumWorkers()
    {
        if (!shutdown.isRunning() || fatalWorkerExit || !backoff.allowsSpawnAt(clock.nanoTime())
            || table.goneSince(clock.nanoTime() - REAP_WAIT_NANOS) > 0)
        {
            return;
        }
        while (table.live() < limits.workers()
            || table.spare() < limits.minSpare() && table.liveAndStandby() < limits.maxWorkers())
        {
            if (spawner.spawn() == WorkerSlot.NO_SLOT)
            {
                backoff.onSpawnFailed(clock.nanoTime());
                return;
            }
        }
        // Not while the first workers or a new generation warm up, nor while the clients they then
        // meet first (or a dead worker's, after a promotion) come in.
        while (announced && !reloadPending && clock.nanoTime() - standbyNotBeforeNanos >= 0
            && table.standby() < limits.standby()
            && table.liveAndStandby() < limits.maxWorkers())
        {
            if (spawner.spawnStandby() == WorkerSlot.NO_SLOT)
            {
                backoff.onSpawnFailed(clock.nanoTime());
                return;
            }
        }
    }

    /** Above --max-spare idle workers, and above --workers, QUIT the idle ones; recycle --max-served. */
    private void retireExtraWorkers()
    {
        int spare = table.spare();
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (!slot.isLive() || slot.state != WorkerSlot.READY || table.live() <= limits.workers())
            {
                continue;
            }
            if (0 == slot.load() && 0 == routing.shardsOf(slot) && spare > limits.maxSpare())
            {
                drain(slot, "retiring spare worker");
                spare--;
            }
        }
        if (limits.maxServed() > 0)
        {
            for (int i = 0; i < table.capacity(); i++)
            {
                final WorkerSlot slot = table.slot(i);
                if (slot.isLive() && slot.state == WorkerSlot.READY && slot.served >= limits.maxServed())
                {
                    drain(slot, "served " + slot.served + " clients (--max-served)");
                    if (null == promoteStandby("in its place"))
                    {
                        spawner.spawn();
                    }
                }
            }
        }
    }

    private void drain(final WorkerSlot slot, final String why)
    {
        LOG.info("worker {} (slot {}): QUIT, {}", slot.pid, slot.index, why);
        slot.drain();
        routing.onWorkerDraining(slot);
        commands.quit(slot);
    }

    private static String describeExit(final int exitCode)
    {
        return exitCode > 128 ? Signals.name(exitCode - 128) : "status " + exitCode;
    }
}
