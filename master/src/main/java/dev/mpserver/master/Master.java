package dev.mpserver.master;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.master.log.LogReopen;
import dev.mpserver.master.process.PendingHandoffs;
import dev.mpserver.master.process.WorkerLauncher;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.master.signal.SignalRing;
import dev.mpserver.master.signal.SignalWaiter;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.net.LingeringClose;
import dev.mpserver.protocol.posix.ITimerVal;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerMain;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master cycle, after nginx's: sleep in sigsuspend; the handler only records; then act on
 * what was recorded. Every worker has a {@link WorkerSlot}; every fd the master holds is either a
 * slot's channel, the listener, or a client fd on its way somewhere (in a channel queue or a
 * slot's pending list), and each of those has exactly one place that closes it.
 *
 * <p>Nothing a single worker or client does can stop this loop: a dead worker is an event, a
 * failed send is a queued frame or a rejected client, and a lost signal is found by a rescan.
 */
public final class Master implements ChannelFrameHandler
{
    private static final Logger LOG = LogManager.getLogger(Master.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FATAL = 2;

    private static final long TICK_MICROS = 100_000;
    private static final long MIN_BACKOFF_NANOS = 100_000_000L;
    private static final long MAX_BACKOFF_NANOS = 10_000_000_000L;
    /** A worker that dies younger than this counts as a crash for the backoff. */
    private static final long FAST_DEATH_NANOS = 2_000_000_000L;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final int RING_CAPACITY = 4096;
    private static final long PUBLISH_INTERVAL_NANOS = 50_000_000L;
    private static final long SIGQ_INTERVAL_NANOS = 1_000_000_000L;
    /** Frames in one pass that make the master stop taking one RT signal per frame and poll instead. */
    private static final int POLL_ENTER_FRAMES = 32;
    /** Frames read from one channel per pass at most: a worker that writes as fast as we read must not hold the loop. */
    private static final int RECEIVE_BUDGET = 1024;
    /** Refused clients lingering in the master at once at most (each holds an fd until it is done). */
    private static final int LINGER_CAPACITY = 1024;
    private static final int LINGER_MAX_BYTES = 256 * 1024;

    private static final int RUNNING = 0;
    private static final int STOPPING_FAST = 1;
    private static final int STOPPING_GRACEFUL = 2;

    private final MasterConfig config;
    private final int listenFd;
    private final PrintStream announce;
    private final int pid = Posix.LIBC.getpid();
    private final SignalRing ring = new SignalRing(RING_CAPACITY);
    private final SignalWaiter waiter = new SignalWaiter(ring);
    private final MasterCounters counters = new MasterCounters();
    private final ShardTable shards = new ShardTable();
    private final WorkerSlot[] slots;
    private final boolean[] dirty;
    private final Int2IntHashMap slotByChannelFd = new Int2IntHashMap(ShardTable.NONE);
    private final UnsafeBuffer errorFrame = NativeMemory.allocate(WireProtocol.MAX_ERROR_FRAME_LENGTH);
    private final WorkerLauncher launcher;
    /** Clients the master refuses linger here, polled on the tick: the master has no epoll set. */
    private final LingeringClose lingering;
    private final PendingHandoffs.Sink routeAgain = this::route;
    private final PendingHandoffs.Sink refuseShuttingDown = this::refuseShuttingDown;
    private final LogReopen logReopen;

    private int state = RUNNING;
    private int generation;
    private long nowNanos;
    private long killDeadlineNanos;
    private long nextSpawnAllowedNanos;
    private long backoffNanos;
    private boolean announced;
    private boolean fatalWorkerExit;
    private int currentSlot;
    private CountersFile countersFile;
    /** True while the channels are polled with O_ASYNC off (see {@link #adaptSignalling}). */
    private boolean polling;
    private long framesThisPass;
    /** A channel spent its receive budget this pass: the loop must not sleep before reading it again. */
    private boolean backlogged;
    private long lastPublishNanos;
    private long lastSigQNanos;

    public Master(final MasterConfig config, final int listenFd, final PrintStream announce)
    {
        this.config = config;
        this.listenFd = listenFd;
        this.announce = announce;
        this.slots = new WorkerSlot[config.maxWorkers * 2];
        for (int i = 0; i < slots.length; i++)
        {
            slots[i] = new WorkerSlot(i, config.handoffQueue);
        }
        this.dirty = new boolean[slots.length];
        this.launcher = new WorkerLauncher(config.workerJvmOptions, waiter.masterSignals(), config.workerClass);
        this.lingering = new LingeringClose(LINGER_CAPACITY, config.worker.lingerTimeoutNanos, LINGER_MAX_BYTES, -1);
        this.logReopen = new LogReopen(config.logFile);
    }

    public MasterCounters counters()
    {
        return counters;
    }

    public int run()
    {
        if (!waiter.masterSignalsBlocked())
        {
            throw new IllegalStateException("the master's signals are not blocked; start it through MpServer, which re-executes itself");
        }
        removeStaleWorkerFiles();
        countersFile = CountersFile.forMaster(config.runDir, pid);
        waiter.install();
        Posix.checked("setitimer", Posix.process().setitimer(ITimerVal.ITIMER_REAL, new ITimerVal().periodMicros(TICK_MICROS).address(), 0L));
        nowNanos = System.nanoTime();
        for (int i = 0; i < config.workers; i++)
        {
            spawn();
        }
        while (true)
        {
            if (0 == ring.size() && !ring.overflowed() && !polling && !backlogged)
            {
                waiter.await();
            }
            nowNanos = System.nanoTime();
            act();
            adaptSignalling();
            flushChannels();
            if (nowNanos - lastPublishNanos >= PUBLISH_INTERVAL_NANOS)
            {
                publishCounters();
            }
            if (state != RUNNING && liveProcesses() == 0)
            {
                break;
            }
            if (state == RUNNING && fatalWorkerExit && liveProcesses() == 0)
            {
                LOG.error("every worker exited with a fatal configuration error; the master stops");
                return EXIT_FATAL;
            }
            // Signals that arrived during this pass are taken now: a busy master does not go back
            // to sleep (sigsuspend + handler) only to be woken at once.
            waiter.drain();
        }
        Posix.process().setitimer(ITimerVal.ITIMER_REAL, new ITimerVal().periodMicros(0).address(), 0L);
        lingering.closeAll();
        publishCounters();
        countersFile.close(); // kept: 'mpserver stat' shows the last values of a stopped server
        LOG.info("master {} exits ({})", pid, counters);
        return EXIT_OK;
    }

    // ---------------------------------------------------------------- acting on signals

    private void act()
    {
        boolean reap = false;
        boolean tick = false;
        boolean rescan = ring.overflowed();
        int stop = RUNNING;
        boolean reload = false;
        for (int i = 0; i < ring.size(); i++)
        {
            final int signo = ring.signo(i);
            if (signo == Signals.SIGCHANNEL)
            {
                counters.increment(MasterCounter.RT_SIGNALS);
                final int slot = slotByChannelFd.get(ring.fd(i));
                if (slot != ShardTable.NONE)
                {
                    dirty[slot] = true;
                }
            }
            else if (signo == Signals.SIGIO)
            {
                // The RT queue overflowed: edges were lost. The queued ones add nothing a rescan will not find.
                counters.increment(MasterCounter.OVERFLOWS);
                counters.add(MasterCounter.DISCARDED_SIGNALS, waiter.discardChannelSignals());
                rescan = true;
            }
            else if (signo == Signals.SIGCHLD)
            {
                reap = true;
            }
            else if (signo == Signals.SIGALRM)
            {
                tick = true;
            }
            else if (signo == Signals.SIGTERM || signo == Signals.SIGINT)
            {
                stop = STOPPING_FAST;
            }
            else if (signo == Signals.SIGQUIT && stop == RUNNING)
            {
                stop = STOPPING_GRACEFUL;
            }
            else if (signo == Signals.SIGHUP)
            {
                reload = true;
            }
            else if (signo == Signals.SIGUSR1)
            {
                logReopen.reopen(slots, pid);
                logStatus();
            }
        }
        ring.clear();
        if (rescan)
        {
            counters.increment(MasterCounter.RESCANS);
        }
        if (rescan || polling)
        {
            for (int i = 0; i < slots.length; i++)
            {
                dirty[i] = null != slots[i].channel;
            }
        }
        framesThisPass = 0;
        backlogged = false;
        for (int i = 0; i < slots.length; i++)
        {
            if (dirty[i])
            {
                dirty[i] = false;
                serviceChannel(slots[i]);
            }
        }
        if (reap || rescan)
        {
            reapWorkers();
        }
        if (stop != RUNNING)
        {
            beginStop(stop);
        }
        if (reload && state == RUNNING)
        {
            reload();
        }
        if (tick)
        {
            housekeeping();
        }
    }

    /**
     * Sends what this pass queued for each worker. A channel that cannot take it all keeps the rest
     * and is flushed again on its POLL_OUT signal, on the next pass, or at the latest on the tick.
     */
    private void flushChannels()
    {
        for (final WorkerSlot slot : slots)
        {
            final Channel channel = slot.channel;
            if (null != channel && channel.hasQueued())
            {
                final long waitedBefore = channel.framesQueued();
                final long stalledBefore = channel.fdLimitStalls();
                channel.flush();
                counters.add(MasterCounter.HANDOFFS_QUEUED, channel.framesQueued() - waitedBefore);
                counters.add(MasterCounter.FD_LIMIT_STALLS, channel.fdLimitStalls() - stalledBefore);
                if (channel.isClosed() && slot.state != WorkerSlot.GONE)
                {
                    workerGone(slot, "channel send failed");
                }
            }
        }
    }

    private void serviceChannel(final WorkerSlot slot)
    {
        final Channel channel = slot.channel;
        if (null == channel)
        {
            return;
        }
        channel.flush();
        currentSlot = slot.index;
        final int frames = channel.receive(this, RECEIVE_BUDGET);
        framesThisPass += frames;
        if (frames >= RECEIVE_BUDGET)
        {
            // Budget spent, data may remain, and no new signal will say so: come back next pass.
            dirty[slot.index] = true;
            backlogged = true;
        }
        counters.add(MasterCounter.FRAMES_IN, frames);
        if (channel.isClosed() && slot.state != WorkerSlot.GONE)
        {
            workerGone(slot, "channel closed");
        }
    }

    @Override
    public void onFrame(final ChannelFrame frame, final int fd)
    {
        final WorkerSlot slot = slots[currentSlot];
        switch (frame.command())
        {
            case ChannelCommand.READY:
                onReady(slot);
                break;
            case ChannelCommand.LOAD:
                slot.onLoadReport(frame.load(), frame.ack(), config.worker.maxClients);
                slot.shards = frame.shardCount();
                break;
            case ChannelCommand.HANDOFF:
                counters.increment(MasterCounter.HANDOFFS_IN);
                if (fd == ChannelFrame.FD_LOST)
                {
                    counters.increment(MasterCounter.FDS_LOST);
                    LOG.warn("a hand-off from worker {} arrived without its fd (master at its fd limit?)", slot.pid);
                    break;
                }
                route(frame.shardId(), fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
                break;
            case ChannelCommand.RETURN:
                counters.increment(MasterCounter.HANDOFFS_RETURNED);
                if (fd >= 0)
                {
                    onReturn(slot, frame, fd);
                }
                break;
            case ChannelCommand.SHARD_GONE:
                if (!shards.gone(frame.shardId(), slot.index, frame.ack(), nowNanos))
                {
                    counters.increment(MasterCounter.STALE_SHARD_GONE);
                }
                break;
            default:
                LOG.warn("unexpected frame from worker {}: {}", slot.pid, frame);
                if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
        }
    }

    private void onReady(final WorkerSlot slot)
    {
        if (slot.state != WorkerSlot.STARTING)
        {
            return;
        }
        slot.state = WorkerSlot.READY;
        slot.readyAtNanos = nowNanos;
        counters.set(MasterCounter.LAST_SPAWN_TO_READY_MS, (nowNanos - slot.spawnedAtNanos) / NANOS_PER_MILLI);
        LOG.info("worker {} (slot {}) ready in {} ms", slot.pid, slot.index, (nowNanos - slot.spawnedAtNanos) / NANOS_PER_MILLI);
        slot.pending.drainTo(routeAgain); // to their shards' owner: this worker, now READY
        if (!announced && readyWorkers() >= config.workers)
        {
            announced = true;
            announce.println("mpserver ready port=" + Posix.localPort(listenFd) + " pid=" + pid + " workers=" + readyWorkers());
            announce.flush();
        }
    }

    /**
     * A worker could not take a client. Draining, it takes no shard: route afresh. Full, it says
     * how many clients of the shard it still has: with some, moving the shard would split it, so
     * the client is refused; with none, the shard moves like a new one (another worker with room,
     * else a new worker), and the worker is told once every client of the shard we had sent it is
     * behind that message (SHARD_MOVED), so that it stops returning them.
     */
    private void onReturn(final WorkerSlot slot, final ChannelFrame frame, final int fd)
    {
        final int shardId = frame.shardId();
        if (slot.state == WorkerSlot.READY || slot.state == WorkerSlot.STARTING)
        {
            slot.onReturnedFull(frame.ack());
            if (frame.shardClients() > 0)
            {
                counters.increment(MasterCounter.REJECTED_SHARD_WORKER_FULL);
                reject(fd, ErrorCode.SERVER_FULL);
                return;
            }
            counters.increment(MasterCounter.HANDOFFS_REROUTED);
            slot.channel.post(ChannelCommand.SHARD_MOVED, shardId, 0, pid, ChannelFrame.NO_FD);
        }
        if (shards.owner(shardId) == slot.index)
        {
            shards.remove(shardId);
        }
        route(shardId, fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
    }

    // ---------------------------------------------------------------- routing

    /**
     * Sends a client of {@code shardId}, with its session state, to the worker that owns the shard,
     * assigning one if needed. The payload is forwarded unopened.
     */
    private void route(final int shardId, final int fd, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        if (state != RUNNING)
        {
            reject(fd, ErrorCode.SHUTTING_DOWN);
            return;
        }
        int owner = shards.owner(shardId);
        if (owner != ShardTable.NONE && !slots[owner].isLive())
        {
            shards.remove(shardId);
            owner = ShardTable.NONE;
        }
        if (owner == ShardTable.NONE)
        {
            owner = pickWorker();
            if (owner == ShardTable.NONE)
            {
                counters.increment(MasterCounter.REJECTED_SERVER_FULL);
                reject(fd, ErrorCode.SERVER_FULL);
                return;
            }
            shards.assign(shardId, owner);
        }
        forward(slots[owner], shardId, fd, payload, payloadOffset, payloadLength);
    }

    /** Least-loaded READY worker under capacity; else a STARTING one; else a new one. */
    private int pickWorker()
    {
        int best = ShardTable.NONE;
        int bestStarting = ShardTable.NONE;
        for (final WorkerSlot slot : slots)
        {
            if (slot.generation != generation || !hasRoom(slot))
            {
                continue;
            }
            if (slot.state == WorkerSlot.READY && (best == ShardTable.NONE || slot.load() < slots[best].load()))
            {
                best = slot.index;
            }
            else if (slot.state == WorkerSlot.STARTING && (bestStarting == ShardTable.NONE || slot.load() < slots[bestStarting].load()))
            {
                bestStarting = slot.index;
            }
        }
        if (best != ShardTable.NONE)
        {
            return best;
        }
        if (bestStarting != ShardTable.NONE)
        {
            return bestStarting;
        }
        return liveWorkers() < config.maxWorkers ? spawn() : ShardTable.NONE;
    }

    private boolean hasRoom(final WorkerSlot slot)
    {
        return !slot.isFull() && slot.load() < config.workerCapacity;
    }

    private void forward(
        final WorkerSlot slot, final int shardId, final int fd, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        if (slot.state == WorkerSlot.STARTING)
        {
            if (slot.pending.add(shardId, fd, payload, payloadOffset, payloadLength))
            {
                counters.increment(MasterCounter.HANDOFFS_QUEUED);
            }
            else
            {
                reject(fd, ErrorCode.SHARD_BUSY);
            }
            return;
        }
        // Posted, not sent: flushChannels() passes this pass's hand-offs to each worker in a few sendmsg calls.
        final int result = slot.channel.post(ChannelCommand.HANDOFF, shardId, 0, pid, fd, payload, payloadOffset, payloadLength);
        if (result == Channel.QUEUED)
        {
            shards.forwarded(shardId, slot.channel.lastSeq());
            slot.onHandoffSent(slot.channel.lastSeq());
            slot.served++;
            counters.increment(MasterCounter.HANDOFFS_ROUTED);
        }
        else if (result == Channel.FULL)
        {
            reject(fd, ErrorCode.SHARD_BUSY);
        }
        else
        {
            workerGone(slot, "channel send failed");
            route(shardId, fd, payload, payloadOffset, payloadLength);
        }
    }

    private void refuseShuttingDown(final int shardId, final int fd, final DirectBuffer payload, final int offset, final int length)
    {
        reject(fd, ErrorCode.SHUTTING_DOWN);
    }

    /**
     * Tells the client why, then closes it once it has read that ({@link LingeringClose}). Never
     * blocks: a client that cannot take 30 bytes loses them. E2 is counted by the caller, which
     * knows which limit was hit.
     */
    private void reject(final int fd, final ErrorCode code)
    {
        if (code == ErrorCode.SHARD_BUSY)
        {
            counters.increment(MasterCounter.REJECTED_SHARD_BUSY);
        }
        else if (code == ErrorCode.SHUTTING_DOWN)
        {
            counters.increment(MasterCounter.REJECTED_SHUTTING_DOWN);
        }
        final int length = WireEncoder.putError(errorFrame, 0, code);
        Posix.LIBC.send(fd, errorFrame.addressOffset(), length, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
        lingering.start(fd, nowNanos);
    }

    // ---------------------------------------------------------------- workers

    /** @return the slot of a newly spawned worker, or NONE. */
    private int spawn()
    {
        WorkerSlot slot = null;
        for (final WorkerSlot candidate : slots)
        {
            if (candidate.state == WorkerSlot.FREE)
            {
                slot = candidate;
                break;
            }
        }
        if (null == slot)
        {
            return ShardTable.NONE;
        }
        final int[] pair = Posix.socketPair();
        try
        {
            Posix.enableAsyncSignal(pair[0], Signals.SIGCHANNEL, pid);
            slot.pid = launcher.spawn(config.worker.forSlot(slot.index), pair[1], listenFd);
        }
        catch (final PosixException ex)
        {
            counters.increment(MasterCounter.SPAWN_FAILURES);
            LOG.error("cannot start a worker: {}", ex.getMessage());
            Posix.closeQuietly(pair[0]);
            Posix.closeQuietly(pair[1]);
            return ShardTable.NONE;
        }
        Posix.closeQuietly(pair[1]);
        slot.state = WorkerSlot.STARTING;
        slot.generation = generation;
        slot.channel = new Channel(pair[0], config.handoffQueue);
        slot.resetLoad();
        slot.spawnedAtNanos = nowNanos;
        slotByChannelFd.put(pair[0], slot.index);
        counters.increment(MasterCounter.SPAWNS);
        LOG.info("spawned worker {} in slot {} (generation {})", slot.pid, slot.index, generation);
        // The worker may have written READY before O_ASYNC saw it: look once.
        dirty[slot.index] = true;
        return slot.index;
    }

    /** The worker cannot be reached any more: its shards and its waiting clients go elsewhere. */
    private void workerGone(final WorkerSlot slot, final String why)
    {
        if (slot.state == WorkerSlot.GONE || slot.state == WorkerSlot.FREE)
        {
            return;
        }
        final boolean wasServing = slot.state != WorkerSlot.DRAINING;
        slot.state = WorkerSlot.GONE;
        final int lost = shards.removeAllOf(slot.index);
        LOG.info("worker {} (slot {}) gone ({}): {} shards unassigned{}", slot.pid, slot.index, why, lost,
            wasServing ? "" : " (was draining)");
        slot.pending.drainTo(routeAgain);
        if (null != slot.channel)
        {
            slot.channel.drainQueue((frame, fd) ->
            {
                if (frame.command() == ChannelCommand.HANDOFF)
                {
                    route(frame.shardId(), fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
                }
                else
                {
                    Posix.closeQuietly(fd);
                }
            });
        }
    }

    /** waitpid on each known pid (never -1: SIGCHLD coalesces, and other children are not ours). */
    private void reapWorkers()
    {
        for (final WorkerSlot slot : slots)
        {
            if (!slot.hasProcess())
            {
                continue;
            }
            final int status;
            try
            {
                status = Posix.reap(slot.pid);
            }
            catch (final PosixException ex)
            {
                LOG.error("waitpid({}) failed: {}", slot.pid, ex.getMessage());
                continue;
            }
            if (status < 0)
            {
                continue;
            }
            final int exitCode = Posix.exitCode(status);
            final boolean retired = slot.state == WorkerSlot.DRAINING;
            workerGone(slot, "exited with " + describeExit(exitCode));
            slotByChannelFd.remove(slot.channel.fd());
            slot.channel.close();
            slot.channel = null;
            slot.state = WorkerSlot.FREE;
            counters.increment(MasterCounter.DEATHS);
            retireCounters(slot.pid);
            if (state != RUNNING || retired)
            {
                continue;
            }
            if (exitCode == WorkerMain.EXIT_FATAL_CONFIG)
            {
                fatalWorkerExit = true;
                LOG.error("worker {} exited with status 2 (fatal configuration error): not respawning", slot.pid);
                continue;
            }
            LOG.warn("worker {} (slot {}) died: {}", slot.pid, slot.index, describeExit(exitCode));
            if (nowNanos - slot.spawnedAtNanos < FAST_DEATH_NANOS)
            {
                backoffNanos = Math.min(MAX_BACKOFF_NANOS, Math.max(MIN_BACKOFF_NANOS, backoffNanos * 2));
                counters.set(MasterCounter.RESPAWN_BACKOFF_MS, backoffNanos / NANOS_PER_MILLI);
                counters.increment(MasterCounter.CRASHES);
                LOG.warn("workers are dying fast; next respawn in {} ms", backoffNanos / NANOS_PER_MILLI);
            }
            else
            {
                backoffNanos = 0;
                counters.set(MasterCounter.RESPAWN_BACKOFF_MS, 0);
            }
            nextSpawnAllowedNanos = nowNanos + backoffNanos;
        }
        keepMinimumWorkers();
    }

    private void keepMinimumWorkers()
    {
        if (state != RUNNING || fatalWorkerExit || nowNanos < nextSpawnAllowedNanos)
        {
            return;
        }
        while (liveWorkers() < config.workers || spareWorkers() < config.minSpare && liveWorkers() < config.maxWorkers)
        {
            if (spawn() == ShardTable.NONE)
            {
                nextSpawnAllowedNanos = nowNanos + MIN_BACKOFF_NANOS;
                return;
            }
        }
    }

    private void housekeeping()
    {
        lingering.poll();
        lingering.expire(nowNanos);
        counters.add(MasterCounter.SHARDS_EXPIRED, shards.expire(nowNanos, config.shardTtlMs * NANOS_PER_MILLI));
        if (state == RUNNING)
        {
            keepMinimumWorkers();
            retireExtraWorkers();
        }
        else if (nowNanos >= killDeadlineNanos)
        {
            for (final WorkerSlot slot : slots)
            {
                if (slot.hasProcess())
                {
                    LOG.warn("worker {} still running after the grace period: SIGKILL", slot.pid);
                    Posix.process().kill(slot.pid, Signals.SIGKILL);
                }
            }
            killDeadlineNanos = Long.MAX_VALUE;
        }
    }

    /** Above --max-spare idle workers, and above --workers, QUIT the idle ones; recycle --max-served. */
    private void retireExtraWorkers()
    {
        int spare = spareWorkers();
        for (final WorkerSlot slot : slots)
        {
            if (slot.state != WorkerSlot.READY || liveWorkers() <= config.workers)
            {
                continue;
            }
            if (0 == slot.load() && 0 == shards.countOf(slot.index) && spare > config.maxSpare)
            {
                drain(slot, "retiring spare worker");
                spare--;
            }
        }
        if (config.maxServed > 0)
        {
            for (final WorkerSlot slot : slots)
            {
                if (slot.state == WorkerSlot.READY && slot.served >= config.maxServed)
                {
                    drain(slot, "served " + slot.served + " clients (--max-served)");
                    spawn();
                }
            }
        }
    }

    private void drain(final WorkerSlot slot, final String why)
    {
        LOG.info("worker {} (slot {}): QUIT, {}", slot.pid, slot.index, why);
        slot.state = WorkerSlot.DRAINING;
        shards.removeAllOf(slot.index);
        slot.channel.send(ChannelCommand.QUIT, 0, 0, pid, ChannelFrame.NO_FD);
        slot.pending.drainTo(routeAgain);
    }

    private void reload()
    {
        generation++;
        LOG.info("SIGHUP: starting worker generation {}; the old generation drains", generation);
        // pickWorker only considers the current generation, so old workers take no new shard
        // from here on; spawn first so that clients rerouted by drain() have somewhere to go.
        for (int i = 0; i < config.workers; i++)
        {
            spawn();
        }
        for (final WorkerSlot slot : slots)
        {
            if (slot.isLive() && slot.generation != generation)
            {
                drain(slot, "reload");
            }
        }
    }

    private void beginStop(final int how)
    {
        if (state == STOPPING_FAST || state == how)
        {
            return;
        }
        state = how;
        final boolean fast = how == STOPPING_FAST;
        LOG.info("{}: stopping {} workers", fast ? "SIGTERM/SIGINT (fast)" : "SIGQUIT (graceful)", liveProcesses());
        killDeadlineNanos = nowNanos + (fast ? 0 : config.drainTimeoutMs * NANOS_PER_MILLI) +
            config.gracePeriodMs * NANOS_PER_MILLI;
        for (final WorkerSlot slot : slots)
        {
            if (slot.state == WorkerSlot.FREE)
            {
                continue;
            }
            slot.pending.drainTo(refuseShuttingDown);
            if (null != slot.channel && slot.state != WorkerSlot.GONE)
            {
                slot.channel.send(fast ? ChannelCommand.QUIT_NOW : ChannelCommand.QUIT, 0, 0, pid, ChannelFrame.NO_FD);
                if (slot.state != WorkerSlot.DRAINING)
                {
                    slot.state = WorkerSlot.DRAINING;
                }
            }
        }
    }

    /**
     * Under a burst every frame a worker writes queues one RT signal, and taking each costs the
     * master a syscall: that, not routing, bounds the hand-off rate. So, like NAPI in network
     * drivers, a pass that finds a burst switches O_ASYNC off and the loop polls every channel
     * until a pass finds nothing; then O_ASYNC goes back on and every channel is read once more,
     * so a frame that arrived between the last poll and the re-arm is not left without a signal.
     */
    private void adaptSignalling()
    {
        if (!polling && framesThisPass >= POLL_ENTER_FRAMES)
        {
            setAsync(false);
            polling = true;
            counters.increment(MasterCounter.POLL_PHASES);
        }
        else if (polling && 0 == framesThisPass)
        {
            setAsync(true);
            polling = false;
            for (final WorkerSlot slot : slots)
            {
                serviceChannel(slot);
            }
        }
    }

    private void setAsync(final boolean on)
    {
        for (final WorkerSlot slot : slots)
        {
            if (null != slot.channel && !slot.channel.isClosed())
            {
                final int fd = slot.channel.fd();
                final int flags = Posix.LIBC.fcntl(fd, Posix.F_GETFL, 0);
                if (flags >= 0)
                {
                    Posix.LIBC.fcntl(fd, Posix.F_SETFL, on ? flags | Posix.O_ASYNC : flags & ~Posix.O_ASYNC);
                }
            }
        }
    }

    // ---------------------------------------------------------------- counters

    private void publishCounters()
    {
        lastPublishNanos = nowNanos;
        if (nowNanos - lastSigQNanos >= SIGQ_INTERVAL_NANOS)
        {
            lastSigQNanos = nowNanos;
            readSigQ();
        }
        int clients = 0;
        int backlog = 0;
        int full = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.state != WorkerSlot.FREE)
            {
                clients += slot.load();
                backlog += slot.pending.count() + (null != slot.channel ? slot.channel.queuedFrames() : 0);
                full += slot.isLive() && !hasRoom(slot) ? 1 : 0;
            }
        }
        counters.set(MasterCounter.WORKERS_FULL, full);
        counters.set(MasterCounter.MAX_WORKERS, config.maxWorkers);
        counters.set(MasterCounter.MAX_CLIENTS, config.worker.maxClients);
        counters.set(MasterCounter.WORKER_CAPACITY, config.workerCapacity);
        counters.set(MasterCounter.LINGERING, lingering.started());
        counters.set(MasterCounter.LINGER_TIMEOUTS, lingering.timedOut());
        counters.set(MasterCounter.LINGER_AT_CAPACITY, lingering.closedAtCapacity());
        counters.set(MasterCounter.WORKERS, liveProcesses());
        counters.set(MasterCounter.SHARDS, shards.size());
        counters.set(MasterCounter.CLIENTS, clients);
        counters.set(MasterCounter.HANDOFF_BACKLOG, backlog);
        countersFile.update(0, counters.values());
        countersFile.update(MasterCounter.COUNT, counters.retired());
    }

    /** SigQ from /proc/self/status: RT signals queued for this user / RLIMIT_SIGPENDING. */
    private void readSigQ()
    {
        try (BufferedReader status = Files.newBufferedReader(Path.of("/proc/self/status")))
        {
            String line;
            while ((line = status.readLine()) != null)
            {
                if (line.startsWith("SigQ:"))
                {
                    final String[] parts = line.substring(5).trim().split("/");
                    counters.set(MasterCounter.SIGQ_QUEUED, Long.parseLong(parts[0]));
                    counters.set(MasterCounter.SIGQ_LIMIT, Long.parseLong(parts[1]));
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.debug("cannot read SigQ: {}", ex.toString());
        }
    }

    /** Worker files of an earlier run of this run dir would show up in stat as dead workers. */
    private void removeStaleWorkerFiles()
    {
        try (DirectoryStream<Path> stale =
            Files.newDirectoryStream(config.runDir, "worker-*" + CountersFile.SUFFIX))
        {
            for (final Path file : stale)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot clean {}: {}", config.runDir, ex.toString());
        }
    }

    /** Adds an exited worker's last counter values to the totals and removes its file. */
    private void retireCounters(final int workerPid)
    {
        final Path file = CountersFile.workerFile(config.runDir, workerPid);
        final CountersFileReader reader = CountersFileReader.open(file);
        if (null != reader)
        {
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                if (!counter.isGauge())
                {
                    counters.retire(counter, reader.value(counter.typeId()));
                }
            }
            reader.close();
            // Published before the file goes: a reader of the run directory never misses this worker's counts.
            publishCounters();
        }
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot remove {}: {}", file, ex.toString());
        }
    }

    // ---------------------------------------------------------------- counts

    private int liveProcesses()
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.hasProcess())
            {
                count++;
            }
        }
        return count;
    }

    private int liveWorkers()
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.isLive())
            {
                count++;
            }
        }
        return count;
    }

    private int readyWorkers()
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.state == WorkerSlot.READY)
            {
                count++;
            }
        }
        return count;
    }

    private int spareWorkers()
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.isLive() && 0 == slot.load())
            {
                count++;
            }
        }
        return count;
    }

    private void logStatus()
    {
        LOG.info("SIGUSR1 status: {} shards, counters {}", shards.size(), counters);
        for (final WorkerSlot slot : slots)
        {
            if (slot.state != WorkerSlot.FREE)
            {
                LOG.info("  slot {} pid {} {} gen {} load {}{} shards {} served {}", slot.index, slot.pid,
                    WorkerSlot.stateName(slot.state), slot.generation, slot.load(), slot.isFull() ? " (full)" : "",
                    shards.countOf(slot.index), slot.served);
            }
        }
    }

    private static String describeExit(final int exitCode)
    {
        return exitCode > 128 ? Signals.name(exitCode - 128) : "status " + exitCode;
    }
}
