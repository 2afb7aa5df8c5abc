package dev.mpserver.worker.loop;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLET;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_MOD;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntUnaryOperator;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.net.LingeringClose;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.HopTimes;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import dev.mpserver.worker.link.MasterLink;
import dev.mpserver.worker.session.ClientSessions;
import dev.mpserver.worker.session.Protocols;
import dev.mpserver.worker.session.ShardRouter;
import dev.mpserver.worker.session.control.ControlProtocol;
import dev.mpserver.worker.session.rtmp.RtmpProtocol;
import org.agrona.DirectBuffer;

/**
 * A worker's loop: one thread, one epoll set, and nothing but waiting and dispatching. The set
 * holds the listener ({@link Acceptor}), the master channel ({@link MasterLink}), every client
 * ({@link ClientSessions}) and every lingering refused socket ({@link LingeringClose}); each event
 * goes to its owner by token, then the timers that are due run ({@link Deadlines}), and the
 * frames this batch produced for the master go out in as few sendmsg calls as fit.
 *
 * <pre>
 *   token:  -1 listener   -2 channel   &lt;= -16 lingering socket   &gt;= 0 client (generation | slot)
 * </pre>
 *
 * Without a channel (single-process mode, {@code --workers 0}) every shard is served here.
 */
public final class WorkerLoop implements MasterLink.Handler
{
    public static final int NO_CHANNEL = -1;
    public static final int EXIT_OK = 0;

    private static final long CHANNEL_TOKEN = -2L;
    /**
     * The channel's interest while nothing waits to be sent. Not EPOLLOUT: a unix socket wakes its
     * EPOLLOUT waiters each time the peer reads a frame of ours (unix_write_space on every freed
     * skb, not only after EAGAIN as TCP does), so every hand-off the master read woke this worker
     * once more for nothing, on the routed client's critical path.
     */
    private static final int CHANNEL_EVENTS = EPOLLIN | EPOLLRDHUP | EPOLLET;
    /** While frames are queued (the channel was full): also wake when it drains. */
    private static final int CHANNEL_EVENTS_QUEUED = CHANNEL_EVENTS | EPOLLOUT;
    private static final int MAX_EVENTS = 1024;
    private static final long MAX_WAIT_NANOS = 1_000_000_000L;
    private static final long CHANNEL_RETRY_NANOS = 10_000_000L;
    private static final long WARM_UP_CHECK_NANOS = 10_000_000L;
    private static final long PUBLISH_INTERVAL_NANOS = 50_000_000L;
    /** Bytes a refused client may still send while it lingers. */
    private static final int LINGER_MAX_BYTES = 256 * 1024;
    /** At exit, refused clients get at most this long (or the linger timeout) to read why. */
    private static final long FINAL_LINGER_NANOS = 1_000_000_000L;

    private final LibC libc = Posix.LIBC;
    private final WorkerConfig config;
    private final int pid;
    private final int epollFd;
    private final EpollEvents events = new EpollEvents(MAX_EVENTS);
    private final EpollEvents registration = new EpollEvents(1);
    private final Deadlines deadlines = new Deadlines(MAX_WAIT_NANOS);
    private final WorkerCounters counters;
    private final HopTimes hops = new HopTimes();
    /** A shard's gen for its SHARD_GONE, or -1: not empty here, or no longer this worker's. */
    private final IntUnaryOperator goneGen;
    private final SharedShardTable shards;
    private final boolean ownsShards;
    private final ShardRouter router;
    private final ClientTable table;
    private final LingeringClose lingering;
    private final ClientIo io;
    private final MasterLink link;
    private final ClientSessions sessions;
    private final Acceptor acceptor;
    private final RtmpProtocol rtmp;

    private final boolean quiet;
    private WarmUp warmUp;
    private boolean running = true;
    private boolean draining;
    /** Whether the channel is registered for EPOLLOUT too (only while frames wait to be sent). */
    private boolean channelWatchedForOut;
    /** Said WARM: takes new shards itself (with a shard table) until it drains. */
    private boolean warm;
    /**
     * A standby not promoted yet ({@link WorkerConfig#standby}): it warms up, then takes neither
     * clients from the listener nor shards until the master's PROMOTE.
     */
    private boolean standingBy;
    private long drainDeadlineNanos;
    private long nowNanos;
    private long lastPublishNanos;

    /**
     * @param listenFd  the shared listening socket
     * @param channelFd the master channel, or {@link #NO_CHANNEL} for single-process mode
     */
    public WorkerLoop(final WorkerConfig config, final int listenFd, final int channelFd)
    {
        this(config, listenFd, channelFd, false, channelFd == NO_CHANNEL ? null : openShardTable(config.runDir), true);
    }

    /**
     * @param quiet       logs nothing of its own start and stop (a {@link WarmUp}'s loop)
     * @param shards      the shard table, or null (see {@link #openShardTable})
     * @param ownsShards  this loop unmaps the table when it ends
     */
    WorkerLoop(
        final WorkerConfig config, final int listenFd, final int channelFd, final boolean quiet, final SharedShardTable shards,
        final boolean ownsShards)
    {
        this.quiet = quiet;
        this.standingBy = config.standby && channelFd != NO_CHANNEL;
        this.shards = shards;
        this.ownsShards = ownsShards;
        this.config = config;
        this.pid = libc.getpid();
        this.epollFd = Posix.checked("epoll_create1", libc.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        this.counters = WorkerCounters.open(config.runDir, pid, config.slot);
        this.table = new ClientTable(config.maxClients + config.transitSlots());
        this.lingering = new LingeringClose(config.lingerCapacity(), config.lingerTimeoutNanos, LINGER_MAX_BYTES, epollFd);
        this.io = new ClientIo(table, lingering, counters, epollFd, config.outputCapBytes);
        this.link = channelFd == NO_CHANNEL ? null : new MasterLink(channelFd, pid, counters, hops.toOwner);
        final Protocols protocols = new Protocols();
        this.router = new ShardRouter(table, io, link, protocols, counters, config.maxClients, hops.route, shards, config.slot);
        this.goneGen = shardId -> 0 == table.clientsOnShard(shardId) ? router.genOfOwnEntry(shardId) : -1;
        protocols.add(new ControlProtocol(table, io, router, counters, pid, config.slot));
        this.rtmp = new RtmpProtocol(table, io, router, counters, pid, config.rtmp, config.outputCapBytes);
        protocols.add(rtmp);
        this.sessions = new ClientSessions(table, io, protocols, router, link, lingering, counters, config.idleTimeoutNanos,
            this::resumeAccepting, hops.serve);
        this.acceptor = new Acceptor(listenFd, epollFd, table, counters,
            null == link ? Acceptor.BATCH_ALONE : Acceptor.BATCH_UNDER_MASTER, sessions::admitAccepted);
        if (null != link)
        {
            link.handler(this);
        }
    }

    public WorkerCounters counters()
    {
        return counters;
    }

    /**
     * Grows the fd table to the fds this worker may hold ({@link Posix#reserveFdTable}), off the
     * loop's thread: otherwise a new worker's table doubles five times under its first burst of
     * 5 000 clients, and each doubling in a JVM stalls the accepting thread for an RCU grace period
     * (8–16 ms here). Accepts meanwhile wait only if they need a bigger table themselves. Not grown
     * (0), the table grows as clients come, as before.
     *
     * @return the fds the table holds at least, or 0 if it could not be grown
     */
    private int reserveFdTable()
    {
        // fdsNeeded is within the fd limit: the master refuses a --max-clients beyond it.
        return Posix.reserveFdTable(epollFd, (int)Math.min(Integer.MAX_VALUE, WorkerConfig.fdsNeeded(config.maxClients)));
    }

    /**
     * A worker the master started in SCHED_IDLE ({@link WorkerConfig#idleUntilWarm}) serves at the
     * default policy from WARM on: every thread of the process leaves it. Where that is refused
     * (the master probed that it would not be), the worker keeps serving, on CPU others leave.
     * The master also started it on one CPU (see the master's WorkerLauncher): every thread takes
     * the master's CPUs back.
     */
    private void leaveIdlePolicy()
    {
        if (!config.idleUntilWarm)
        {
            return;
        }
        try
        {
            final int moved = Posix.leaveIdlePolicy();
            WorkerLog.LOG.info("worker {} warm: {} threads left SCHED_IDLE", pid, moved);
        }
        catch (final PosixException ex)
        {
            WorkerLog.LOG.error("worker {} cannot leave SCHED_IDLE ({}): it serves only on CPU other processes leave", pid,
                ex.getMessage());
        }
        try
        {
            final int spread = Posix.takeCpuAffinityOf(Posix.LIBC.getppid());
            WorkerLog.LOG.info("worker {} warm: {} threads took the master's CPUs", pid, spread);
        }
        catch (final PosixException ex)
        {
            WorkerLog.LOG.error("worker {} cannot take the master's CPUs ({}): it serves on the one it started on", pid, ex.getMessage());
        }
    }

    /** Runs until QUIT has drained, QUIT_NOW, or the master channel closes; returns the exit code. */
    public int run()
    {
        try
        {
            // Others serve: no client meets this JVM's cold code until its warm-up is done; a
            // standby's code meets none until it is promoted.
            acceptor.start(standingBy || null != link && config.warmUpClients > 0 && config.acceptWhenWarm);
            if (null != link)
            {
                Posix.setNonBlocking(link.fd());
                registration.set(0, CHANNEL_EVENTS, CHANNEL_TOKEN);
                Posix.checked("epoll_ctl(ADD, channel)", libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, link.fd(), registration.address()));
                link.ready();
                if (config.warmUpClients > 0)
                {
                    warmUp = new WarmUp(config, counters).start();
                }
                else
                {
                    link.warm();
                    warm = true;
                }
            }
            if (!quiet)
            {
                final String mode = null == link ? "single-process" : "under master";
                WorkerLog.inBackground(() ->
                {
                    final int fdTable = reserveFdTable();
                    WorkerLog.LOG.info("worker {} slot {} serving (max clients {}, {}; fd table for {} fds)",
                        pid, config.slot, config.maxClients, mode, fdTable);
                });
            }
            nowNanos = System.nanoTime();
            settle();
            while (running)
            {
                turn();
            }
        }
        finally
        {
            shutdown();
        }
        return EXIT_OK;
    }

    /**
     * One pass: waits for events until the next timer, hands each to its owner, runs the timers
     * that are due, and sends the pass's frames to the master in as few sendmsg calls as fit.
     *
     * <p>A method of its own, not the body of {@link #run}'s loop: a worker's warm-up loop calls it
     * thousands of times, so it is compiled before the real loop's first client. A loop's body
     * inside one long call is compiled only by on-stack replacement, after tens of thousands of
     * iterations of that call: the real loop ran interpreted through its first 0.5-0.9 s of clients
     * (docs/benchmarks.md, seventh session).
     */
    private void turn()
    {
        nowNanos = System.nanoTime();
        final int ready = libc.epoll_wait(epollFd, events.address(), MAX_EVENTS, deadlines.waitMillis(nowNanos));
        if (ready < 0)
        {
            if (Posix.errno() == Errno.EINTR)
            {
                return;
            }
            throw new PosixException("epoll_wait", Posix.errno());
        }
        nowNanos = System.nanoTime();
        for (int i = 0; i < ready; i++)
        {
            dispatch(events.data(i), events.events(i));
        }
        settle();
    }

    /**
     * What follows a pass's events, and comes once before the first wait as well: the timers run
     * and set the next wait, this worker publishes its load and whether it takes shards, and the
     * frames for the master go out. Before the first wait too, so that the first wait is set like
     * every other one. A worker that accepts only once warm has no event until then, and its WARM
     * had waited out the longest wait (1 s) after its warm-up ended (a 0.4-0.7 s warm-up, WARM 1.3
     * s after spawn). A worker warm from the start had its first clients routed before it said it
     * takes shards, so it handed every new one to the master.
     */
    private void settle()
    {
        housekeeping();
        if (null != link && link.hasQueued())
        {
            link.flush(); // this batch's hand-offs, SHARD_GONEs and LOAD: few sendmsg calls, one wake-up of the master
        }
        if (null != link && link.hasQueued() != channelWatchedForOut)
        {
            watchChannelForOut(!channelWatchedForOut);
        }
    }

    private void dispatch(final long token, final int ready)
    {
        if (Acceptor.isToken(token))
        {
            acceptor.onReadable(nowNanos);
        }
        else if (CHANNEL_TOKEN == token)
        {
            link.onEvent(ready);
        }
        else if (LingeringClose.isToken(token))
        {
            lingering.onReadable(token);
        }
        else
        {
            final int slot = io.slotOf(token);
            if (slot != ClientTable.NONE) // else an event for a client that left earlier in this batch
            {
                sessions.onEvent(slot, ready, nowNanos);
            }
        }
    }

    /**
     * The shard table the master made in the run directory, or null if there is none (a master
     * that keeps ownership to itself, as in tests that play the master): every shard with no client
     * here then goes to the master.
     */
    private static SharedShardTable openShardTable(final Path runDir)
    {
        final Path file = null == runDir ? null : runDir.resolve(SharedShardTable.FILE_NAME);
        return null != file && Files.exists(file) ? SharedShardTable.open(file) : null;
    }

    // ---------------------------------------------------------------- MasterLink.Handler

    @Override
    public void onHandOver(final int shardId, final int fd, final DirectBuffer payload, final int offset, final int length)
    {
        sessions.admitHandedOver(shardId, fd, payload, offset, length, draining, nowNanos);
    }

    @Override
    public void onQuit()
    {
        if (!draining)
        {
            WorkerLog.LOG.info("worker {}: QUIT, draining {} clients", pid, table.size());
            draining = true;
            drainDeadlineNanos = nowNanos + config.drainTimeoutNanos;
            acceptor.stop();
        }
    }

    @Override
    public void onPromote()
    {
        if (!standingBy || draining)
        {
            return;
        }
        standingBy = false;
        WorkerLog.LOG.info("worker {}: promoted from standby; accepting {}", pid, warm ? "now" : "once warm");
        if (warm)
        {
            acceptor.release(nowNanos);
        }
    }

    @Override
    public void onStop(final String why)
    {
        if (!quiet)
        {
            WorkerLog.LOG.info("worker {}: {}; exiting", pid, why);
        }
        running = false;
    }

    // ---------------------------------------------------------------- timers

    private void housekeeping()
    {
        if (nowNanos - lastPublishNanos >= PUBLISH_INTERVAL_NANOS)
        {
            publishGauges();
        }
        sessions.expireIdle(nowNanos);
        lingering.expire(nowNanos);
        acceptor.resumeIfPossible(nowNanos);
        if (null != link)
        {
            // Served clients only: a burst of just-accepted connections, most about to be handed
            // off, would make the master think this worker is loaded and send new shards elsewhere.
            link.reportLoad(table.serving(), table.shardCount(), nowNanos, goneGen);
        }
        if (null != warmUp && warmUp.isDone())
        {
            warmUp = null;
            WorkerLog.LOG.info("worker {} warm: its warm-up served {} clients in {} ms", pid,
                counters.get(WorkerCounter.WARM_UP_CLIENTS), counters.get(WorkerCounter.WARM_UP_MS));
            leaveIdlePolicy();
            if (!standingBy)
            {
                acceptor.release(nowNanos);
            }
            link.warm();
            warm = true;
        }
        if (draining && (0 == table.size() || nowNanos - drainDeadlineNanos >= 0))
        {
            running = false;
        }
        // After the warm-up's end and QUIT above: a worker that takes shards says so at once.
        router.publishLoad(null != link && warm && !standingBy && !draining);
        deadlines.set(Deadlines.IDLE_CLIENT, sessions.nextIdleDeadlineNanos());
        deadlines.set(Deadlines.LINGER_END, lingering.nextDeadlineNanos());
        deadlines.set(Deadlines.ACCEPT_RESUME, acceptor.nextResumeNanos());
        deadlines.set(Deadlines.DRAIN_END, draining ? drainDeadlineNanos : Deadlines.NONE);
        deadlines.set(Deadlines.LOAD_REPORT, null != link && link.isLoadReportDue(table.serving()) ?
            link.nextLoadReportNanos() : Deadlines.NONE);
        deadlines.set(Deadlines.CHANNEL_RETRY, null != link && link.hasQueued() ? nowNanos + CHANNEL_RETRY_NANOS : Deadlines.NONE);
        deadlines.set(Deadlines.WARM_UP_CHECK, null != warmUp ? nowNanos + WARM_UP_CHECK_NANOS : Deadlines.NONE);
    }

    private void watchChannelForOut(final boolean watch)
    {
        registration.set(0, watch ? CHANNEL_EVENTS_QUEUED : CHANNEL_EVENTS, CHANNEL_TOKEN);
        Posix.checked("epoll_ctl(MOD, channel)", libc.epoll_ctl(epollFd, EPOLL_CTL_MOD, link.fd(), registration.address()));
        channelWatchedForOut = watch;
    }

    private void resumeAccepting()
    {
        acceptor.resumeIfPossible(nowNanos);
    }

    private void publishGauges()
    {
        lastPublishNanos = nowNanos;
        counters.set(WorkerCounter.CLIENTS, table.size());
        counters.set(WorkerCounter.SHARDS, table.shardCount());
        final int busiest = table.busiestShard();
        counters.set(WorkerCounter.BUSIEST_SHARD, busiest);
        counters.set(WorkerCounter.BUSIEST_SHARD_CLIENTS, busiest == WireProtocol.NO_SHARD ? 0 : table.clientsOnShard(busiest));
        counters.set(WorkerCounter.LINGERING, lingering.started());
        counters.set(WorkerCounter.LINGER_TIMEOUTS, lingering.timedOut());
        counters.set(WorkerCounter.LINGER_AT_CAPACITY, lingering.closedAtCapacity());
        counters.set(WorkerCounter.STANDING_BY, standingBy ? 1 : 0);
        rtmp.publishGauges();
        rtmp.publishHotKeys(busiest, busiest == WireProtocol.NO_SHARD ? 0 : table.clientsOnShard(busiest), nowNanos);
        hops.publishIfDue(counters, nowNanos);
        counters.heartbeat();
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Every client is told ({@code 'E'} 5) and gets a last, bounded moment to read it: the process
     * is going, and its exit would close their sockets with input unread, which is a reset.
     */
    private void shutdown()
    {
        acceptor.stop();
        nowNanos = System.nanoTime();
        sessions.endAll(true, nowNanos);
        if (null != link)
        {
            link.close();
        }
        lingerBeforeExit();
        Posix.closeQuietly(epollFd);
        publishGauges();
        if (!quiet)
        {
            WorkerLog.LOG.info("worker {} slot {} exits ({})", pid, config.slot, counters);
        }
        if (null != shards)
        {
            router.publishLoad(false);
            if (ownsShards)
            {
                shards.close();
            }
        }
        counters.close(); // unmapped: nothing may read them after this; the master folds the file into its totals
    }

    private void lingerBeforeExit()
    {
        final long deadline = System.nanoTime() + Math.min(FINAL_LINGER_NANOS, config.lingerTimeoutNanos);
        while (!lingering.isEmpty())
        {
            final long left = Math.min(deadline, lingering.nextDeadlineNanos()) - System.nanoTime();
            if (left <= 0)
            {
                break;
            }
            final int ready = libc.epoll_wait(epollFd, events.address(), MAX_EVENTS, (int)Math.max(1, left / 1_000_000L));
            for (int i = 0; i < ready; i++)
            {
                if (LingeringClose.isToken(events.data(i)))
                {
                    lingering.onReadable(events.data(i));
                }
            }
        }
        lingering.closeAll();
    }
}
