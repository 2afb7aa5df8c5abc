package dev.mpserver.master;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

import dev.mpserver.master.counters.CountersPublisher;
import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.log.LogReopen;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.master.process.PosixWorkerProcesses;
import dev.mpserver.master.process.WorkerLauncher;
import dev.mpserver.master.process.WorkerProcesses;
import dev.mpserver.master.process.WorkerSpawner;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.pump.ChannelAsyncSwitch;
import dev.mpserver.master.pump.ChannelPump;
import dev.mpserver.master.pump.SignalOrPollIdleStrategy;
import dev.mpserver.master.routing.HandoffRouter;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.master.signal.IntervalTimer;
import dev.mpserver.master.signal.SignalRing;
import dev.mpserver.master.signal.SignalWaiter;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.launch.ReadyLine;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.RLimit;
import dev.mpserver.protocol.shard.SharedShardTable;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master process: puts its collaborators together, runs its {@link MasterCycle} and cleans up.
 * Every fd the master holds is a worker's channel ({@link WorkerTable}), the listener, or a client
 * on its way somewhere ({@link HandoffRouter}), and each has exactly one place that closes it.
 *
 * <p>Nothing a single worker or client does can stop the master: a dead worker is an event, a
 * failed send is a queued frame or a refused client, and a lost signal is found by a rescan.
 */
public final class Master
{
    private static final Logger LOG = LogManager.getLogger(Master.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FATAL = 2;

    private static final long TICK_MICROS = 100_000;
    private static final int RING_CAPACITY = 4096;
    /** The ready line waits this long at most for the master's rehearsal (its own bound is 2 s). */
    private static final long REHEARSAL_WAIT_MILLIS = 3_000;

    private final MasterConfig config;
    private final int listenFd;
    private final PrintStream announce;
    /** The rehearsal's thread until the ready line; null after, or with --warm-up 0. */
    private Thread rehearsalThread;

    /** @param announce where the ready line goes once {@code --workers} workers are READY */
    public Master(final MasterConfig config, final int listenFd, final PrintStream announce)
    {
        this.config = config;
        this.listenFd = listenFd;
        this.announce = announce;
    }

    public int run()
    {
        final SignalRing ring = new SignalRing(RING_CAPACITY);
        final SignalWaiter waiter = new SignalWaiter(ring);
        if (!waiter.masterSignalsBlocked())
        {
            throw new IllegalStateException("the master's signals are not blocked; start it through MpServer, which re-executes itself");
        }
        final int pid = Posix.LIBC.getpid();
        final MasterCounters counters = MasterCounters.create(config.runDir, pid);
        waiter.install();
        final CachedNanoClock clock = new CachedNanoClock();

        final WorkerTable table = new WorkerTable(config.maxWorkers * 2, config.handoffQueue);
        reserveFdTable(table.capacity());
        final WorkerProcesses processes = new PosixWorkerProcesses(
            new WorkerLauncher(config.workerJvmOptions, waiter.masterSignals(), config.workerClass), config.worker, listenFd, pid);
        // Before the first spawn: a worker maps it at start.
        final ShardTable shards = new ShardTable(SharedShardTable.create(
            config.runDir.resolve(SharedShardTable.FILE_NAME), SharedShardTable.DEFAULT_SETS, table.capacity(), config.workerCapacity,
            config.workersTakeShards));
        final HopLatency toMaster = new HopLatency();
        final MasterWiring wired = new MasterWiring(settings(pid), table, shards, processes, counters, clock,
            ready -> announceReady(pid, ready), toMaster);
        final ChannelPump pump = wired.pump;
        final SignalOrPollIdleStrategy idle = new SignalOrPollIdleStrategy(
            new ChannelAsyncSwitch(table, counters), pump::readEveryChannel, () -> ring.pending() || pump.backlogged(), waiter::await,
            counters);
        final CountersPublisher publisher = new CountersPublisher(table, shards, wired.placement, wired.refusal, counters, clock, toMaster);
        publisher.publishLimits(config.maxWorkers, config.worker.maxClients, config.workerCapacity);

        startRehearsal();
        final IntervalTimer timer = new IntervalTimer(counters);
        timer.start(TICK_MICROS);
        final int exitCode = new MasterCycle(idle, ring, waiter, clock, counters, pump, wired.supervisor, wired.shutdown, wired.router,
            publisher, new LogReopen(config.logFile, table, pid), table).run();
        timer.stop();
        wired.refusal.closeAll();
        publisher.publish();
        LOG.info("master {} exits ({})", pid, counters.toString());
        counters.close(); // the file stays: 'mpserver stat' shows the last values of a stopped server
        shards.shared().closeAndRemove(); // 4 MiB, in memory in a default run directory
        return exitCode;
    }

    private MasterWiring.Settings settings(final int pid)
    {
        return new MasterWiring.Settings(pid,
            new PoolLimits(config.workers, config.maxWorkers, config.minSpare, config.maxSpare, config.maxServed, config.standby,
                TimeUnit.MILLISECONDS.toNanos(config.standbyDelayMs)),
            config.workerCapacity, config.worker.maxClients, config.handoffQueue, idleStarts(), config.worker.lingerTimeoutNanos,
            config.drainTimeoutMs, config.gracePeriodMs, config.shardTtlMs, config.runDir);
    }

    /**
     * Grows the fd table once, before the first spawn, to every fd the master may hold: a channel
     * per slot and a full hand-off queue per slot's pending list (clients waiting for a STARTING
     * worker), within the fd limit ({@link Posix#reserveFdTable}). Otherwise a scale-up under a
     * burst grows it while clients wait for new workers (256 to 8 192 fds seen for 5 000 clients
     * and 5 spawns), and each doubling stops all routing for an RCU grace period (8–16 ms here).
     */
    private void reserveFdTable(final int slots)
    {
        final long mayHold = Posix.openFdCount() + (long)slots * (config.handoffQueue + 2);
        final long limit = Posix.getRlimit(RLimit.RLIMIT_NOFILE).current();
        final int reserved = Posix.reserveFdTable(listenFd, (int)Math.min(Math.min(mayHold, limit), Integer.MAX_VALUE));
        LOG.debug("fd table for {} fds", reserved);
    }

    /**
     * Whether workers the supervisor starts while others serve may start in SCHED_IDLE
     * ({@link WorkerSpawner}): only where they can leave it when warm, and there is a chrt.
     */
    private static boolean idleStarts()
    {
        if (!WorkerLauncher.canStartIdle())
        {
            LOG.info("replacement workers start at normal priority: no chrt (util-linux) to start them in SCHED_IDLE");
            return false;
        }
        if (!Posix.canLeaveIdlePolicy())
        {
            LOG.info("replacement workers start at normal priority: a process cannot leave SCHED_IDLE here "
                + "(it needs CAP_SYS_NICE or RLIMIT_NICE >= 20; systemd: LimitNICE=+0)");
            return false;
        }
        LOG.info("replacement workers start in SCHED_IDLE and leave it when warm");
        return true;
    }

    /**
     * The master rehearses its routing ({@link MasterRehearsal}) on a thread of its own while its
     * first workers start and warm up; {@code --warm-up 0} turns it off with theirs.
     */
    private void startRehearsal()
    {
        if (config.worker.warmUpClients <= 0)
        {
            return;
        }
        final MasterRehearsal rehearsal = new MasterRehearsal(config.worker.maxClients);
        rehearsalThread = new Thread(() ->
        {
            try
            {
                rehearsal.run();
                LOG.debug("rehearsal: {} hand-offs routed", rehearsal.routed());
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("the master's rehearsal ended early: {}", ex.toString());
            }
        }, "master-rehearsal");
        rehearsalThread.setDaemon(true);
        rehearsalThread.start();
    }

    /** The ready line waits for the rehearsal (it is done long before the workers are warm). */
    private void awaitRehearsal()
    {
        if (null == rehearsalThread)
        {
            return;
        }
        try
        {
            rehearsalThread.join(REHEARSAL_WAIT_MILLIS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        rehearsalThread = null;
    }

    private void announceReady(final int pid, final int readyWorkers)
    {
        awaitRehearsal();
        announce.println(new ReadyLine(Posix.localPort(listenFd), pid, readyWorkers));
        announce.flush();
    }
}
