package dev.mpserver.master.process;

import dev.mpserver.protocol.channel.Channel;
import org.agrona.collections.IntArrayQueue;

/**
 * One child of the master, as nginx's {@code ngx_processes[]} entry: who it is, how to reach it,
 * what it carries, and the clients waiting for it to become READY. A slot is reused once its
 * process has been reaped. The master's loop thread is its only user.
 *
 * <pre>
 *             spawn                 READY frame
 *    FREE ───────────▶ STARTING ──────────────────▶ READY
 *     ▲                  │    │                    │    │
 *     │                  │    │       QUIT         │    │
 *     │                  │    └───▶ DRAINING ◀─────┘    │
 *     │                  │             │                │
 *     │                  └──────────▶ GONE ◀────────────┘
 *     │                                │
 *     └──────────── reaped ────────────┘
 *
 *   QUIT    reload, retirement (--max-spare, --max-served) or stop: it takes no new shard
 *   GONE    its channel closed, a send to it failed, or it exited; its shards and the clients
 *           waiting for it or queued on its channel go elsewhere (a process reaped in any state
 *           passes through GONE at once)
 *   reaped  waitpid collected it: channel closed, slot free for the next spawn
 * </pre>
 *
 * Only STARTING and READY slots take new clients ({@link #isLive}), and of those not a
 * {@link #standby} until the supervisor promotes it; every state but FREE has a process to reap
 * ({@link #hasProcess}).
 */
public final class WorkerSlot
{
    /** No slot: what look-ups answer when there is none. */
    public static final int NO_SLOT = -1;

    public static final int FREE = 0;
    /** Spawned; hand-offs for it wait in {@link #pending} until it says READY. */
    public static final int STARTING = 1;
    public static final int READY = 2;
    /** Told to QUIT (reload, retirement or graceful stop): takes no new shards. */
    public static final int DRAINING = 3;
    /** Its channel closed: the process is dying or dead and waits to be reaped. */
    public static final int GONE = 4;

    public final int index;
    public int state = FREE;
    public int pid;
    public int generation;
    public Channel channel;
    public int shards;
    public long spawnedAtNanos;
    public long readyAtNanos;
    /** When it went {@link #GONE}: its replacement waits for its exit status until then + a bound. */
    public long goneAtNanos;
    /**
     * It said WARM: its warm-up clients are served, and new shards go to it before any worker that
     * has not (see {@code Placement}).
     */
    public boolean warm;
    /**
     * Started as a standby (--standby): it warms up and waits, off the listener, and takes no
     * shard and no client until a worker dies and the supervisor promotes it (PROMOTE).
     */
    public boolean standby;
    /** Clients forwarded to it over its life (for --max-served). */
    public long served;
    /**
     * Told to QUIT ({@link #drain}): its exit is the end it was asked for, not a death. Kept apart
     * from {@link #state}, which its channel's close turns to {@link #GONE} before the reap.
     */
    private boolean toldToQuit;

    /** Clients sent to it while STARTING, waiting for its READY. */
    public final PendingHandoffs pending;
    /**
     * Its channel may hold frames that no signal will announce (a spawn, a spent receive budget, a
     * rescan, a poll): read it on the next pass.
     */
    public boolean readPending;

    /** The channel's frames-out count already added to the master's counter. */
    private long framesOutCounted;

    /** Clients served, as of the worker's last LOAD. */
    private int reportedLoad;
    /** seqs of the HANDOFFs sent since, oldest first: in flight or read after the report. */
    private final IntArrayQueue handoffsSinceReport = new IntArrayQueue(IntArrayQueue.MIN_CAPACITY, Integer.MIN_VALUE);
    /** The worker returned a hand-off because it was full; until a later LOAD shows room, it takes no new shard. */
    private boolean full;
    private int fullAck;

    public WorkerSlot(final int index, final int pendingCapacity)
    {
        this.index = index;
        this.pending = new PendingHandoffs(pendingCapacity);
    }

    /** True for a worker that can still be given clients. */
    public boolean isLive()
    {
        return (state == STARTING || state == READY) && !standby;
    }

    /** True for a standby not promoted yet, starting or READY. */
    public boolean isStandingBy()
    {
        return (state == STARTING || state == READY) && standby;
    }

    /** True while there is a process to reap. */
    public boolean hasProcess()
    {
        return state != FREE;
    }

    /**
     * Clients this worker carries as far as the master can tell: its last report, plus the
     * hand-offs sent after that report's ack, plus those waiting for it to become READY. So a
     * burst does not pile onto one worker while its reports lag.
     */
    public int load()
    {
        return reportedLoad + handoffsSinceReport.size() + pending.count();
    }

    /** True if it returned a hand-off for want of room and has not reported room since. */
    public boolean isFull()
    {
        return full;
    }

    /** A LOAD: {@code load} clients served after reading our frames up to {@code ack}. */
    public void onLoadReport(final int load, final int ack, final int maxClients)
    {
        reportedLoad = load;
        while (!handoffsSinceReport.isEmpty() && handoffsSinceReport.peekInt() - ack <= 0)
        {
            handoffsSinceReport.pollInt();
        }
        if (full && ack - fullAck >= 0 && load < maxClients)
        {
            full = false;
        }
    }

    /** A HANDOFF numbered {@code seq} went to the worker. */
    public void onHandoffSent(final int seq)
    {
        handoffsSinceReport.addInt(seq);
    }

    /** The worker returned the HANDOFF it read as frame {@code ack} for want of room. */
    public void onReturnedFull(final int ack)
    {
        full = true;
        fullAck = ack;
    }

    /**
     * A fresh process in this slot, STARTING: nothing reported, nothing sent. Its channel is read
     * once on the next pass: the worker may have written READY before O_ASYNC saw it.
     */
    public void start(
        final int workerPid, final int workerGeneration, final Channel workerChannel, final boolean asStandby, final long nowNanos)
    {
        state = STARTING;
        standby = asStandby;
        pid = workerPid;
        generation = workerGeneration;
        channel = workerChannel;
        spawnedAtNanos = nowNanos;
        readPending = true;
        framesOutCounted = 0;
        reportedLoad = 0;
        handoffsSinceReport.clear();
        full = false;
        warm = false;
        shards = 0;
        served = 0;
        toldToQuit = false;
    }

    /** QUIT is sent (reload, retirement, recycling, stop): DRAINING, and its exit is no death. */
    public void drain()
    {
        state = DRAINING;
        toldToQuit = true;
    }

    /** Whether it was told to QUIT ({@link #drain}), in whatever state it is now. */
    public boolean wasToldToQuit()
    {
        return toldToQuit;
    }

    /** @return frames its channel sent since the last call: the master counts them as they go. */
    public long takeFramesOut()
    {
        final long sent = channel.framesOut() - framesOutCounted;
        framesOutCounted += sent;
        return sent;
    }

    public static String stateName(final int state)
    {
        switch (state)
        {
            case FREE: return "free";
            case STARTING: return "starting";
            case READY: return "ready";
            case DRAINING: return "draining";
            case GONE: return "gone";
            default: return "?";
        }
    }
}
