package dev.mpserver.worker.link;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLERR;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import org.agrona.DirectBuffer;
import java.util.function.IntUnaryOperator;

import org.agrona.collections.IntHashSet;

/**
 * The worker's end of its channel to the master: what it tells the master (READY, LOAD, HANDOFF,
 * RETURN, SHARD_GONE) and what the master tells it (HANDOFF, SHARD_MOVED, QUIT, QUIT_NOW, REOPEN, PROMOTE). Frames
 * to the master are posted and flushed once per batch of events, so that one batch's hand-offs
 * share sendmsg calls and wake the master once.
 *
 * <p>LOAD reports served clients only, at most every {@link #LOAD_REPORT_INTERVAL_NANOS}, when the
 * count changed or hand-offs were read since the last report: the master counts those it sent
 * after the report's ack as load until a report covers them. SHARD_GONEs go with it.
 *
 * <p>A shard returned as empty ({@link #returnClient}) stays returned until the master's
 * SHARD_MOVED: every client of it the master had already sent is returned too, so a worker that
 * gets room meanwhile never takes one and splits the shard from its new owner.
 */
public final class MasterLink implements ChannelFrameHandler
{
    /** What the master's frames ask of the worker. */
    public interface Handler
    {
        /** HANDOFF: serve (or return) this client of {@code shardId}, with its session state. */
        void onHandOver(int shardId, int fd, DirectBuffer payload, int payloadOffset, int payloadLength);

        /** QUIT: stop accepting, finish the clients, exit. */
        void onQuit();

        /** PROMOTE: a standby takes clients from the shared listener from now on (once warm). */
        void onPromote();

        /** QUIT_NOW, or the channel closed (the master is gone): exit now. */
        void onStop(String why);
    }

    public static final long LOAD_REPORT_INTERVAL_NANOS = 100_000_000L;

    private final Channel channel;
    private final int pid;
    private final WorkerCounters counters;
    private final IntHashSet returnedShards = new IntHashSet();
    private final IntHashSet emptiedShards = new IntHashSet();
    private final HopLatency toOwner;
    private Handler handler;
    private int lastReportedLoad;
    private int lastReportedAck;
    private long lastLoadReportNanos;

    /** @param toOwner where each hand-off's trip from the master's post to our read is timed */
    public MasterLink(final int channelFd, final int pid, final WorkerCounters counters, final HopLatency toOwner)
    {
        this.toOwner = toOwner;
        this.channel = new Channel(channelFd);
        this.pid = pid;
        this.counters = counters;
    }

    public void handler(final Handler handler)
    {
        this.handler = handler;
    }

    public int fd()
    {
        return channel.fd();
    }

    /** READY, sent at once (not after the first epoll_wait): the master may be holding clients for us. */
    public void ready()
    {
        post(ChannelCommand.READY, 0, 0);
        channel.flush();
    }

    /** WARM: this worker served its warm-up clients and wants real ones (see {@code WarmUp}). */
    public void warm()
    {
        post(ChannelCommand.WARM, 0, 0);
        channel.flush();
    }

    /**
     * Passes a client to the master: its fd, its shard, its session state.
     *
     * @return {@link Channel#QUEUED} when the channel owns the fd; otherwise the caller still does
     */
    public int handOff(final int fd, final int shardId, final int load, final DirectBuffer payload, final int offset, final int length)
    {
        return channel.post(ChannelCommand.HANDOFF, shardId, load, pid, fd, payload, offset, length);
    }

    /**
     * Gives a hand-off back: "I cannot take this client", with how many clients of its shard are
     * here (0 lets the master move the shard; then every client of it is returned until
     * SHARD_MOVED). Its session state goes back with it.
     *
     * @return true if the channel took the fd; false and the caller still owns it
     */
    public boolean returnClient(
        final int fd, final int shardId, final int clientsHere, final boolean draining,
        final DirectBuffer payload, final int offset, final int length)
    {
        if (0 == clientsHere && !draining)
        {
            returnedShards.add(shardId);
        }
        counters.increment(WorkerCounter.RETURNS);
        final int result = channel.send(ChannelCommand.RETURN, shardId, clientsHere, pid, fd, payload, offset, length);
        return result == Channel.SENT || result == Channel.QUEUED;
    }

    /** True while clients of {@code shardId} are returned: it may be served elsewhere by now. */
    public boolean isReturned(final int shardId)
    {
        return returnedShards.contains(shardId);
    }

    /**
     * The last client of a shard left. Reported with the next LOAD, not at once: the master only
     * ages the shard (its TTL is seconds), and a frame per leaving client cost the master a wake-up
     * per client, as much as the hand-off itself. A shard that got a client again meanwhile is not
     * reported; one that is still empty goes with the ack of that moment, which is what the master
     * checks a report against.
     */
    public void shardEmpty(final int shardId)
    {
        emptiedShards.add(shardId);
    }

    public boolean isLoadReportDue(final int serving)
    {
        return serving != lastReportedLoad || channel.lastReceivedSeq() != lastReportedAck || !emptiedShards.isEmpty();
    }

    /** When the next LOAD may go, if one is due. */
    public long nextLoadReportNanos()
    {
        return lastLoadReportNanos + LOAD_REPORT_INTERVAL_NANOS;
    }

    /**
     * LOAD, and SHARD_GONE for the shards that emptied since the last report and still are, at most
     * every {@link #LOAD_REPORT_INTERVAL_NANOS}.
     *
     * @param goneGen a shard's entry gen if it has no client here now and is still this worker's
     *                (see {@code ShardRouter#genOfOwnEntry}), else -1: not reported
     */
    public void reportLoad(final int serving, final int shards, final long nowNanos, final IntUnaryOperator goneGen)
    {
        if (isLoadReportDue(serving) && nowNanos - lastLoadReportNanos >= LOAD_REPORT_INTERVAL_NANOS)
        {
            final IntHashSet.IntIterator emptied = emptiedShards.iterator();
            while (emptied.hasNext())
            {
                final int shardId = emptied.nextValue();
                final int gen = goneGen.applyAsInt(shardId);
                if (gen >= 0)
                {
                    post(ChannelCommand.SHARD_GONE, shardId, gen);
                }
            }
            emptiedShards.clear();
            lastReportedLoad = serving;
            lastReportedAck = channel.lastReceivedSeq();
            lastLoadReportNanos = nowNanos;
            post(ChannelCommand.LOAD, shards, serving);
        }
    }

    /** An epoll event on the channel. */
    public void onEvent(final int ready)
    {
        if ((ready & EPOLLOUT) != 0)
        {
            channel.flush();
        }
        if ((ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
        {
            channel.receive(this);
        }
        if (channel.isClosed())
        {
            handler.onStop("master channel closed (" +
                (channel.lastErrno() == 0 ? "EOF" : Posix.strerror(channel.lastErrno())) + ")");
        }
    }

    public boolean hasQueued()
    {
        return channel.hasQueued();
    }

    public void flush()
    {
        channel.flush();
    }

    /** Sends what is queued, then closes the channel (and any fd still queued). */
    public void close()
    {
        channel.flush();
        channel.close();
    }

    @Override
    public void onFrame(final ChannelFrame frame, final int fd)
    {
        switch (frame.command())
        {
            case ChannelCommand.HANDOFF:
                toOwner.record(System.nanoTime() - frame.time());
                if (fd == ChannelFrame.FD_LOST)
                {
                    counters.increment(WorkerCounter.FDS_LOST);
                    WorkerLog.LOG.warn("worker {}: a hand-off for shard {} arrived without its fd (fd limit?)", pid, frame.shardId());
                }
                else if (fd >= 0)
                {
                    handler.onHandOver(frame.shardId(), fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
                }
                break;
            case ChannelCommand.SHARD_MOVED:
                returnedShards.remove(frame.shardId());
                break;
            case ChannelCommand.QUIT:
                handler.onQuit();
                break;
            case ChannelCommand.PROMOTE:
                handler.onPromote();
                break;
            case ChannelCommand.QUIT_NOW:
                handler.onStop("QUIT_NOW");
                break;
            case ChannelCommand.REOPEN:
                ReopenedLog.takeOver(fd, pid);
                break;
            default:
                WorkerLog.LOG.warn("worker {}: unexpected channel frame {}", pid, frame);
                if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
        }
    }

    private void post(final int command, final int shardId, final int load)
    {
        if (channel.post(command, shardId, load, pid, ChannelFrame.NO_FD) == Channel.FULL)
        {
            WorkerLog.LOG.warn("worker {}: channel queue full, {} dropped", pid, ChannelCommand.name(command));
        }
    }
}
