package dev.mpserver.master.process;

import dev.mpserver.protocol.channel.Channel;

/**
 * One child of the master, as nginx's {@code ngx_processes[]} entry: who it is, how to reach it,
 * what it carries, and the clients waiting for it to become READY. A slot is reused once its
 * process has been reaped.
 */
public final class WorkerSlot
{
    public static final int FREE = 0;
    /** Spawned; hand-offs for it wait in {@link #pendingFd} until it says READY. */
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
    /** Clients, as last reported plus those forwarded since. */
    public int load;
    public int shards;
    public long spawnedAtNanos;
    public long readyAtNanos;
    /** Clients forwarded to it over its life (for --max-served). */
    public long served;

    public final int[] pendingFd;
    public final int[] pendingShard;
    public int pendingCount;

    public WorkerSlot(final int index, final int pendingCapacity)
    {
        this.index = index;
        this.pendingFd = new int[pendingCapacity];
        this.pendingShard = new int[pendingCapacity];
    }

    /** True for a worker that can still be given clients. */
    public boolean isLive()
    {
        return state == STARTING || state == READY;
    }

    /** True while there is a process to reap. */
    public boolean hasProcess()
    {
        return state != FREE;
    }

    public boolean queuePending(final int fd, final int shardId)
    {
        if (pendingCount == pendingFd.length)
        {
            return false;
        }
        pendingFd[pendingCount] = fd;
        pendingShard[pendingCount] = shardId;
        pendingCount++;
        return true;
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
