package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One end of a master ⇄ worker socketpair: sends and receives {@link ChannelFrame}s, with their fds
 * (SCM_RIGHTS). Non-blocking in both directions and allocation-free: the msghdrs, control buffers,
 * receive buffer and outbound queue are allocated once here.
 *
 * <h2>Sending: batches</h2>
 * Every frame goes through a bounded FIFO; {@link #flush} empties it with as few sendmsg calls as
 * it can: up to {@link #MAX_FRAMES_PER_SEND} frames and all their fds in one call, each fd-carrying
 * frame stamped with its place in that call's fd array (fd-index of fd-count). Passing fds costs a
 * syscall per sendmsg, not per fd, so a burst of hand-offs is a handful of syscalls. {@link #send}
 * queues and flushes at once; {@link #post} only queues, for a caller that produces many frames
 * in one pass and flushes once at its end. A sendmsg that carries fds starts with a frame that
 * carries one, and the fd-less frames in front of it go in their own sendmsg (see receiving).
 * Order is kept: nothing bypasses the queue. A partial write has passed all its fds with its first
 * byte; the frames still queued keep their stamps and go later without fds.
 *
 * <h2>Receiving</h2>
 * {@link #receive} reads until EAGAIN (never one message per wake-up: signals and epoll edges
 * coalesce). Linux hands a sendmsg's fds to the recvmsg that reads its first byte and never the
 * fds of two sendmsgs to one recvmsg; {@link ReceivedFds} keeps them in groups, one per sendmsg,
 * and each fd-carrying frame claims its fd by index from the oldest group. A partial frame stays
 * buffered (its fds are already in their group) until the rest arrives. Fds no frame claims are
 * closed, and a frame whose fd was dropped (MSG_CTRUNC: the receiver is at its fd limit) is
 * handed over as {@link ChannelFrame#FD_LOST} without shifting any other frame's fd.
 *
 * <p>{@link #send} and {@link #post} take ownership of the fd unless they answer {@link #FULL} or
 * {@link #CLOSED}; once the kernel has its copy, the channel closes ours.
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
    /** Frames (and so fds) in one sendmsg at most: 64 × 24 bytes stay far inside one skb. */
    public static final int MAX_FRAMES_PER_SEND = 64;
    private static final int RECEIVE_FRAMES = 512;
    /** Room for the most fds one sendmsg can carry, so that our buffer never truncates a peer's fds. */
    private static final int CONTROL_CAPACITY = MsgHdr.cmsgSpace(MsgHdr.SCM_MAX_FD * Integer.BYTES) + MsgHdr.cmsgSpace(16);
    private static final int FRAME = ChannelFrame.HEADER_LENGTH;

    private final LibC libc = Posix.LIBC;
    private final int fd;
    private final MsgHdr receiveHeader = new MsgHdr(CONTROL_CAPACITY);
    private final MsgHdr sendHeader = new MsgHdr(MsgHdr.cmsgSpace(MAX_FRAMES_PER_SEND * Integer.BYTES));
    private final int[] sendFds = new int[MAX_FRAMES_PER_SEND];
    private final UnsafeBuffer in = NativeMemory.allocate(RECEIVE_FRAMES * FRAME);
    private final ChannelFrame inFrame = new ChannelFrame();
    private final ReceivedFds receivedFds = new ReceivedFds();

    private final int queueCapacity;
    private final UnsafeBuffer queue;
    /** Per queued frame: the fd still to pass, or NO_FD (none, or already passed by a partial write). */
    private final int[] queueFds;
    private int queueHead;
    private int queueSize;
    private int headBytesSent;
    /** Frames queued since the last flush that found the socket full; they are counted when one does. */
    private int queuedSinceFull;

    private int inLimit;
    private int seq;
    /** seq of the last frame received: every frame posted carries it as its ack. */
    private int lastReceivedSeq;
    private boolean closed;
    private int lastErrno;

    private long framesIn;
    private long framesOut;
    private long fdsIn;
    private long fdsOut;
    private long sendCalls;
    private long fdsLost;
    private long framesQueued;
    private long framesRejected;
    private long fdLimitStalls;

    public Channel(final int fd)
    {
        this(fd, DEFAULT_QUEUE_CAPACITY);
    }

    public Channel(final int fd, final int queueCapacity)
    {
        this.fd = fd;
        this.queueCapacity = queueCapacity;
        this.queue = NativeMemory.allocate(queueCapacity * FRAME);
        this.queueFds = new int[queueCapacity];
    }

    public int fd()
    {
        return fd;
    }

    /** True once the peer closed or the socket failed; see {@link #lastErrno()}. */
    public boolean isClosed()
    {
        return closed;
    }

    /** errno of the failure that closed the channel, 0 for an orderly EOF. */
    public int lastErrno()
    {
        return lastErrno;
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
        while (!closed && delivered < frameBudget)
        {
            receiveHeader.data(in.addressOffset() + inLimit, in.capacity() - inLimit).expectControl();
            final long read = libc.recvmsg(fd, receiveHeader.address(), MsgHdr.MSG_CMSG_CLOEXEC | MsgHdr.MSG_DONTWAIT);
            if (read < 0)
            {
                final int errno = Posix.errno();
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno != Errno.EAGAIN)
                {
                    markClosed(errno);
                }
                break;
            }
            if (0 == read)
            {
                markClosed(0);
                break;
            }
            inLimit += (int)read;
            takeControlFds();
            delivered += dispatch(handler);
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
        final int posted = post(command, shardId, load, pid, attachedFd);
        if (posted != QUEUED)
        {
            return posted;
        }
        flush();
        if (closed)
        {
            final int last = slot(queueSize - 1);
            if (queueSize > 0 && queueFds[last] == attachedFd && attachedFd >= 0)
            {
                // Never passed: hand the fd back to the caller, who still has a client to answer.
                queueFds[last] = ChannelFrame.NO_FD;
                queueSize--;
                seq--;
                return CLOSED;
            }
            return attachedFd >= 0 ? QUEUED : CLOSED;
        }
        return 0 == queueSize ? SENT : QUEUED;
    }

    /**
     * Queues a frame, sending only when a whole batch ({@link #MAX_FRAMES_PER_SEND}) is waiting; the
     * caller {@link #flush flushes} when its pass is done, so that the frames of one pass share
     * sendmsg calls. Ownership of {@code attachedFd} passes to the
     * channel on {@link #QUEUED}.
     *
     * @return {@link #QUEUED}, {@link #FULL} or {@link #CLOSED}
     */
    public int post(final int command, final int shardId, final int load, final int pid, final int attachedFd)
    {
        if (closed)
        {
            return CLOSED;
        }
        if (queueSize == queueCapacity)
        {
            framesRejected++;
            return FULL;
        }
        final int slot = slot(queueSize++);
        ChannelFrame.encode(queue, slot * FRAME, command, attachedFd >= 0, shardId, load, pid, ++seq, lastReceivedSeq);
        queueFds[slot] = attachedFd;
        queuedSinceFull++;
        if (0 == queueSize % MAX_FRAMES_PER_SEND)
        {
            flush(); // a full batch is ready: a long pass must not fill the queue before its end
        }
        return QUEUED;
    }

    /**
     * Sends queued frames until the queue is empty or the socket is full again.
     *
     * @return frames still queued, or -1 if the peer is gone (see {@link #drainQueue})
     */
    public int flush()
    {
        while (queueSize > 0 && !closed)
        {
            final int sent = headBytesSent > 0 ? sendRestOfHead() : sendBatch();
            if (sent < 0)
            {
                if (!closed)
                {
                    framesQueued += Math.min(queuedSinceFull, queueSize);
                    queuedSinceFull = 0;
                }
                break;
            }
            headBytesSent += sent;
            while (headBytesSent >= FRAME)
            {
                headBytesSent -= FRAME;
                queueHead = slot(1);
                queueSize--;
                framesOut++;
            }
        }
        if (0 == queueSize)
        {
            queuedSinceFull = 0;
        }
        return closed ? -1 : queueSize;
    }

    /** seq of the last frame sent or queued: lets the peer's later frames say which of ours they had seen. */
    public int lastSeq()
    {
        return seq;
    }

    /** seq of the last frame received from the peer (the ack of every frame posted now). */
    public int lastReceivedSeq()
    {
        return lastReceivedSeq;
    }

    public int queuedFrames()
    {
        return queueSize;
    }

    public boolean hasQueued()
    {
        return queueSize > 0;
    }

    /**
     * Hands every queued frame that still owns its fd to {@code handler} (e.g. to reroute clients
     * of a dead worker) and empties the queue. Frames without an fd are dropped.
     */
    public void drainQueue(final ChannelFrameHandler handler)
    {
        for (int i = 0; i < queueSize; i++)
        {
            final int slot = slot(i);
            final int queuedFd = queueFds[slot];
            queueFds[slot] = ChannelFrame.NO_FD;
            if (queuedFd >= 0)
            {
                handler.onFrame(inFrame.wrap(queue, slot * FRAME), queuedFd);
            }
        }
        queueHead = 0;
        queueSize = 0;
        headBytesSent = 0;
    }

    /** Closes the socket, any fd still queued and any fd received without its whole frame. */
    @Override
    public void close()
    {
        for (int i = 0; i < queueSize; i++)
        {
            Posix.closeQuietly(queueFds[slot(i)]);
            queueFds[slot(i)] = ChannelFrame.NO_FD;
        }
        queueSize = 0;
        receivedFds.close();
        closed = true;
        Posix.closeQuietly(fd);
    }

    public long framesIn()
    {
        return framesIn;
    }

    public long framesOut()
    {
        return framesOut;
    }

    public long fdsIn()
    {
        return fdsIn;
    }

    public long fdsOut()
    {
        return fdsOut;
    }

    /** Fds a peer attached beyond those its frames declare; each was closed. */
    public long extraFdsClosed()
    {
        return receivedFds.extrasClosed();
    }

    /** sendmsg calls that passed frames: with batching, far fewer than {@link #framesOut()}. */
    public long sendCalls()
    {
        return sendCalls;
    }

    /** Flushes held back by ETOOMANYREFS: the user had RLIMIT_NOFILE fds in flight in unix sockets. */
    public long fdLimitStalls()
    {
        return fdLimitStalls;
    }

    /** Frames that should have carried an fd but arrived without (MSG_CTRUNC, or a peer that sent none). */
    public long fdsLost()
    {
        return fdsLost;
    }

    /** Frames that found the socket full and waited in the queue. */
    public long framesQueued()
    {
        return framesQueued;
    }

    public long framesRejected()
    {
        return framesRejected;
    }

    private int slot(final int index)
    {
        final int slot = queueHead + index;
        return slot >= queueCapacity ? slot - queueCapacity : slot;
    }

    /** The rest of a frame whose start, and with it every fd of its sendmsg, already went. */
    private int sendRestOfHead()
    {
        return sendSome(queue.addressOffset() + (long)slot(0) * FRAME + headBytesSent, FRAME - headBytesSent, 0);
    }

    /**
     * One sendmsg of the frames at the head of the queue: up to {@link #MAX_FRAMES_PER_SEND}, not
     * across the end of the ring, with every fd they carry. Fd-less frames at the head go alone, so
     * that a sendmsg with fds always starts with a frame that claims one: the receiver then knows
     * that fds nobody claimed when all bytes are in were sent by mistake.
     *
     * @return bytes sent, or -1
     */
    private int sendBatch()
    {
        final int first = slot(0);
        final int limit = Math.min(Math.min(queueSize, queueCapacity - first), MAX_FRAMES_PER_SEND);
        final boolean withFds = queueFds[first] >= 0;
        int frames = 0;
        int fdCount = 0;
        while (frames < limit)
        {
            final int queuedFd = queueFds[first + frames];
            if (queuedFd >= 0)
            {
                if (!withFds)
                {
                    break;
                }
                sendFds[fdCount++] = queuedFd;
            }
            frames++;
        }
        for (int i = 0, index = 0; index < fdCount; i++)
        {
            if (queueFds[first + i] >= 0)
            {
                ChannelFrame.putFdSlot(queue, (first + i) * FRAME, index++, fdCount);
            }
        }
        final int sent = sendSome(queue.addressOffset() + (long)first * FRAME, frames * FRAME, fdCount);
        if (sent > 0 && fdCount > 0)
        {
            // The kernel holds its own references now, also for frames a partial write left queued.
            for (int i = 0; i < frames; i++)
            {
                if (queueFds[first + i] >= 0)
                {
                    Posix.closeQuietly(queueFds[first + i]);
                    queueFds[first + i] = ChannelFrame.NO_FD;
                }
            }
            fdsOut += fdCount;
        }
        return sent;
    }

    /**
     * One sendmsg of {@code length} bytes with {@code sendFds[0..fdCount)} attached.
     *
     * @return bytes sent, or -1 when nothing was sent (EAGAIN, too many fds in flight, or the peer
     *     is gone: see {@link #closed})
     */
    private int sendSome(final long address, final int length, final int fdCount)
    {
        sendHeader.data(address, length);
        if (fdCount > 0)
        {
            sendHeader.attachFds(sendFds, fdCount);
        }
        while (true)
        {
            final long sent = libc.sendmsg(fd, sendHeader.address(), MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
            if (sent >= 0)
            {
                sendCalls++;
                return (int)sent;
            }
            final int errno = Posix.errno();
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno == Errno.ETOOMANYREFS)
            {
                // Not this channel's fault and not fatal: the peers will read and the count will fall.
                fdLimitStalls++;
            }
            else if (errno != Errno.EAGAIN && errno != Errno.ENOBUFS)
            {
                markClosed(errno);
            }
            return -1;
        }
    }

    /** Puts the fds of the last read, if it brought any (or lost some: MSG_CTRUNC), in a new group. */
    private void takeControlFds()
    {
        final int controlLength = receiveHeader.controlLength();
        final boolean truncated = (receiveHeader.flags() & MsgHdr.MSG_CTRUNC) != 0;
        if (controlLength < MsgHdr.CMSG_DATA_OFFSET && !truncated)
        {
            return;
        }
        receivedFds.beginGroup();
        final UnsafeBuffer control = receiveHeader.control();
        int at = 0;
        while (at + MsgHdr.CMSG_DATA_OFFSET <= controlLength)
        {
            final int cmsgLength = (int)control.getLong(at + MsgHdr.CMSG_LEN_OFFSET);
            if (cmsgLength < MsgHdr.CMSG_DATA_OFFSET)
            {
                break;
            }
            if (control.getInt(at + MsgHdr.CMSG_LEVEL_OFFSET) == MsgHdr.SOL_SOCKET &&
                control.getInt(at + MsgHdr.CMSG_TYPE_OFFSET) == MsgHdr.SCM_RIGHTS)
            {
                final int end = Math.min(at + cmsgLength, controlLength);
                for (int p = at + MsgHdr.CMSG_DATA_OFFSET; p + Integer.BYTES <= end; p += Integer.BYTES)
                {
                    receivedFds.add(control.getInt(p));
                    fdsIn++;
                }
            }
            at += MsgHdr.align(cmsgLength);
        }
    }

    private int dispatch(final ChannelFrameHandler handler)
    {
        int position = 0;
        int delivered = 0;
        while (inLimit - position >= FRAME)
        {
            inFrame.wrap(in, position);
            int frameFd = ChannelFrame.NO_FD;
            if (inFrame.hasFd())
            {
                frameFd = receivedFds.claim(inFrame.fdIndex(), inFrame.fdCount());
                if (frameFd == ChannelFrame.FD_LOST)
                {
                    fdsLost++;
                }
            }
            position += inFrame.frameLength();
            lastReceivedSeq = inFrame.seq();
            framesIn++;
            delivered++;
            handler.onFrame(inFrame, frameFd);
        }
        final int remaining = inLimit - position;
        if (position > 0 && remaining > 0)
        {
            in.putBytes(0, in, position, remaining);
        }
        inLimit = remaining;
        if (0 == remaining)
        {
            receivedFds.discardUnclaimed();
        }
        return delivered;
    }

    private void markClosed(final int errno)
    {
        closed = true;
        lastErrno = errno;
    }
}
