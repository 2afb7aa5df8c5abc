package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Posix;
import org.agrona.DirectBuffer;

/**
 * One end of a master ⇄ worker socketpair: sends and receives {@link ChannelFrame}s, with their fds
 * (SCM_RIGHTS). Non-blocking in both directions and allocation-free: each half allocates its
 * msghdr, control buffer and frame buffer once.
 *
 * <h2>Sending: batches ({@link ChannelSender})</h2>
 * Every frame goes through a bounded FIFO; {@link #flush} empties it with as few sendmsg calls as
 * it can, up to {@link #MAX_FRAMES_PER_SEND} frames and all their fds in one call. {@link #send}
 * queues and flushes at once; {@link #post} only queues, for a caller that produces many frames
 * in one pass and flushes once at its end. A frame may carry a payload (at most
 * {@link ChannelFrame#MAX_PAYLOAD_LENGTH} bytes), copied into the queue when posted.
 *
 * <h2>Receiving ({@link ChannelReceiver})</h2>
 * {@link #receive} reads until EAGAIN (never one message per wake-up: signals and epoll edges
 * coalesce) and hands over each complete frame with the fd it claims, {@link ChannelFrame#NO_FD},
 * or {@link ChannelFrame#FD_LOST} when the kernel dropped it (MSG_CTRUNC).
 *
 * <p>The channel is closed once either half finds the peer gone: nothing is sent or read after
 * that. {@link #send} and {@link #post} take ownership of the fd unless they answer {@link #FULL}
 * or {@link #CLOSED}; once the kernel has its copy, the channel closes ours.
 */
public final class Channel implements AutoCloseable
{
    public static final int SENT = 0;
    public static final int QUEUED = 1;
    /** The outbound queue is full; the caller still owns the fd. */
    public static final int FULL = 2;
    /** The peer is gone; the caller still owns the fd. */
    public static final int CLOSED = 3;

    public static final int DEFAULT_QUEUE_CAPACITY = 1024;
    /** Frames (and so fds) in one sendmsg at most: 64 headers stay far inside one skb. */
    public static final int MAX_FRAMES_PER_SEND = 64;

    private final int fd;
    private final ChannelSender sender;
    private final ChannelReceiver receiver;

    public Channel(final int fd)
    {
        this(fd, DEFAULT_QUEUE_CAPACITY);
    }

    public Channel(final int fd, final int queueCapacity)
    {
        this.fd = fd;
        this.sender = new ChannelSender(fd, queueCapacity);
        this.receiver = new ChannelReceiver(fd);
    }

    public int fd()
    {
        return fd;
    }

    /** True once the peer closed, the socket failed or {@link #close()} was called; see {@link #lastErrno()}. */
    public boolean isClosed()
    {
        return sender.hasEnded() || receiver.hasEnded();
    }

    /** errno of the failure that closed the channel, 0 for an orderly EOF. */
    public int lastErrno()
    {
        // Whichever half ended first: the other is not used after that.
        return sender.hasEnded() ? sender.errno() : receiver.errno();
    }

    /**
     * Reads until EAGAIN (or EOF) and hands every complete frame to {@code handler}.
     *
     * @return frames delivered by this call
     */
    public int receive(final ChannelFrameHandler handler)
    {
        return receive(handler, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #receive(ChannelFrameHandler)}, but stops reading once {@code frameBudget} frames
     * were delivered, so that a peer that writes as fast as we read cannot keep the caller in one
     * call for ever. A caller that gets {@code >= frameBudget} back must come back: the socket may
     * still hold data, and no new edge or signal will say so.
     *
     * @return frames delivered by this call
     */
    public int receive(final ChannelFrameHandler handler, final int frameBudget)
    {
        int delivered = 0;
        while (!isClosed() && delivered < frameBudget)
        {
            final int frames = receiver.read(handler);
            if (frames == ChannelReceiver.NOTHING_READ)
            {
                break;
            }
            delivered += frames;
        }
        return delivered;
    }

    /**
     * Queues a frame and flushes. Ownership of {@code attachedFd} passes to the channel on
     * {@link #SENT} and {@link #QUEUED}.
     *
     * @param attachedFd fd to pass, or {@link ChannelFrame#NO_FD}
     * @return {@link #SENT} (the queue is empty again), {@link #QUEUED}, {@link #FULL} or {@link #CLOSED}
     */
    public int send(final int command, final int shardId, final int load, final int pid, final int attachedFd)
    {
        return send(command, shardId, load, pid, attachedFd, null, 0, 0);
    }

    /** {@link #send(int, int, int, int, int)} with a payload, copied before this returns. */
    public int send(
        final int command,
        final int shardId,
        final int load,
        final int pid,
        final int attachedFd,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int posted = post(command, shardId, load, pid, attachedFd, payload, payloadOffset, payloadLength);
        if (posted != QUEUED)
        {
            return posted;
        }
        flush();
        if (isClosed())
        {
            if (sender.takeBackLast(attachedFd))
            {
                return CLOSED;
            }
            return attachedFd >= 0 ? QUEUED : CLOSED;
        }
        return sender.hasQueued() ? QUEUED : SENT;
    }

    /**
     * Queues a frame, sending only when a whole batch ({@link #MAX_FRAMES_PER_SEND}) is waiting; the
     * caller {@link #flush flushes} when its pass is done, so that the frames of one pass share
     * sendmsg calls. Ownership of {@code attachedFd} passes to the channel on {@link #QUEUED}.
     *
     * @return {@link #QUEUED}, {@link #FULL} or {@link #CLOSED}
     */
    public int post(final int command, final int shardId, final int load, final int pid, final int attachedFd)
    {
        return post(command, shardId, load, pid, attachedFd, null, 0, 0);
    }

    /**
     * {@link #post(int, int, int, int, int)} with a payload of at most
     * {@link ChannelFrame#MAX_PAYLOAD_LENGTH} bytes, copied into the queue before this returns.
     *
     * @throws IllegalArgumentException for a payload over the limit (the caller bounds it)
     */
    public int post(
        final int command,
        final int shardId,
        final int load,
        final int pid,
        final int attachedFd,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > ChannelFrame.MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("channel payload of " + payloadLength + " bytes, limit " +
                ChannelFrame.MAX_PAYLOAD_LENGTH);
        }
        if (isClosed())
        {
            return CLOSED;
        }
        return sender.post(
            command, shardId, load, pid, attachedFd, receiver.lastReceivedSeq(), payload, payloadOffset, payloadLength);
    }

    /**
     * Sends queued frames until the queue is empty or the socket is full again.
     *
     * @return frames still queued, or -1 if the peer is gone (see {@link #drainQueue})
     */
    public int flush()
    {
        return receiver.hasEnded() ? -1 : sender.flush();
    }

    /** seq of the last frame sent or queued: lets the peer's later frames say which of ours they had seen. */
    public int lastSeq()
    {
        return sender.lastSeq();
    }

    /** seq of the last frame received from the peer (the ack of every frame posted now). */
    public int lastReceivedSeq()
    {
        return receiver.lastReceivedSeq();
    }

    public int queuedFrames()
    {
        return sender.queuedFrames();
    }

    public boolean hasQueued()
    {
        return sender.hasQueued();
    }

    /**
     * Hands every queued frame that still owns its fd to {@code handler} (e.g. to reroute clients
     * of a dead worker) and empties the queue. Frames without an fd are dropped.
     */
    public void drainQueue(final ChannelFrameHandler handler)
    {
        sender.drain(handler);
    }

    /** Closes the socket, any fd still queued and any fd received without its whole frame. */
    @Override
    public void close()
    {
        sender.close();
        receiver.close();
        Posix.closeQuietly(fd);
    }

    /** Frames the peer's socket has taken: the master counts them as {@code channel frames out}. */
    public long framesOut()
    {
        return sender.framesOut();
    }

    /** Flushes held back by ETOOMANYREFS: the user had RLIMIT_NOFILE fds in flight in unix sockets. */
    public long fdLimitStalls()
    {
        return sender.fdLimitStalls();
    }

    /** Frames that found the socket full and waited in the queue. */
    public long framesQueued()
    {
        return sender.framesQueued();
    }
}
