package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import org.agrona.DirectBuffer;
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
 * Order is kept: nothing bypasses the queue ({@link OutboundQueue}). A partial write has passed all
 * its fds with its first byte; the frames still queued keep their stamps and go later without fds.
 * A frame may carry a payload (at most {@link ChannelFrame#MAX_PAYLOAD_LENGTH} bytes), copied into
 * the queue when posted.
 *
 * <h2>Receiving</h2>
 * {@link #receive} reads until EAGAIN (never one message per wake-up: signals and epoll edges
 * coalesce). Linux hands a sendmsg's fds to the recvmsg that reads its first byte and never the
 * fds of two sendmsgs to one recvmsg; {@link ReceivedFds} keeps them in groups, one per sendmsg,
 * and each fd-carrying frame claims its fd by index from the oldest group. A partial frame stays
 * buffered (its fds are already in their group) until the rest arrives, payload included (a peer
 * that declares a payload over the limit is broken: the channel closes with EPROTO). Fds no frame claims are
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
    /** Frames (and so fds) in one sendmsg at most: 64 headers stay far inside one skb. */
    public static final int MAX_FRAMES_PER_SEND = 64;
    /** Payload bytes a queue holds besides its headers: a few hand-offs' worth of session state at most. */
    private static final int QUEUED_PAYLOAD_BYTES = 4 * ChannelFrame.MAX_FRAME_LENGTH;
    /** Reads of up to this many headers at once, and always room for the largest frame. */
    private static final int RECEIVE_BYTES = 512 * ChannelFrame.HEADER_LENGTH + ChannelFrame.MAX_FRAME_LENGTH;
    /** Room for the most fds one sendmsg can carry, so that our buffer never truncates a peer's fds. */
    private static final int CONTROL_CAPACITY = MsgHdr.cmsgSpace(MsgHdr.SCM_MAX_FD * Integer.BYTES) + MsgHdr.cmsgSpace(16);
    private static final int EPROTO = 71;

    private final LibC libc = Posix.LIBC;
    private final int fd;
    private final MsgHdr receiveHeader = new MsgHdr(CONTROL_CAPACITY);
    private final MsgHdr sendHeader = new MsgHdr(MsgHdr.cmsgSpace(MAX_FRAMES_PER_SEND * Integer.BYTES));
    private final int[] sendFds = new int[MAX_FRAMES_PER_SEND];
    private final UnsafeBuffer in = NativeMemory.allocate(RECEIVE_BYTES);
    private final ChannelFrame inFrame = new ChannelFrame();
    private final ChannelFrame queuedFrame = new ChannelFrame();
    private final ReceivedFds receivedFds = new ReceivedFds();

    /** Per queued frame: its bytes, and the fd still to pass or NO_FD (none, or already passed by a partial write). */
    private final OutboundQueue queue;
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
        this.queue = new OutboundQueue(queueCapacity, queueCapacity * ChannelFrame.HEADER_LENGTH + QUEUED_PAYLOAD_BYTES);
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
        if (closed)
        {
            final int size = queue.size();
            if (size > 0 && attachedFd >= 0 && queue.fd(queue.slot(size - 1)) == attachedFd)
            {
                // Never passed: hand the fd back to the caller, who still has a client to answer.
                queue.removeLast();
                seq--;
                return CLOSED;
            }
            return attachedFd >= 0 ? QUEUED : CLOSED;
        }
        return queue.isEmpty() ? SENT : QUEUED;
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
        if (closed)
        {
            return CLOSED;
        }
        final int at = queue.append(ChannelFrame.HEADER_LENGTH + payloadLength, attachedFd);
        if (at == OutboundQueue.NONE)
        {
            framesRejected++;
            return FULL;
        }
        final UnsafeBuffer bytes = queue.bytes();
        ChannelFrame.encode(bytes, at, command, attachedFd >= 0, shardId, load, pid, ++seq, lastReceivedSeq, payloadLength,
            System.nanoTime());
        if (payloadLength > 0)
        {
            bytes.putBytes(at + ChannelFrame.HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }
        queuedSinceFull++;
        if (0 == queue.size() % MAX_FRAMES_PER_SEND)
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
        while (!queue.isEmpty() && !closed)
        {
            final int sent = headBytesSent > 0 ? sendRestOfHead() : sendBatch();
            if (sent < 0)
            {
                if (!closed)
                {
                    framesQueued += Math.min(queuedSinceFull, queue.size());
                    queuedSinceFull = 0;
                }
                break;
            }
            headBytesSent += sent;
            while (!queue.isEmpty() && headBytesSent >= queue.length(queue.slot(0)))
            {
                headBytesSent -= queue.length(queue.slot(0));
                queue.removeFirst();
                framesOut++;
            }
        }
        if (queue.isEmpty())
        {
            queuedSinceFull = 0;
        }
        return closed ? -1 : queue.size();
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
        return queue.size();
    }

    public boolean hasQueued()
    {
        return !queue.isEmpty();
    }

    /**
     * Hands every queued frame that still owns its fd to {@code handler} (e.g. to reroute clients
     * of a dead worker) and empties the queue. Frames without an fd are dropped.
     */
    public void drainQueue(final ChannelFrameHandler handler)
    {
        final ChannelFrame queued = queuedFrame;
        for (int i = 0; i < queue.size(); i++)
        {
            final int slot = queue.slot(i);
            final int queuedFd = queue.fd(slot);
            queue.clearFd(slot);
            if (queuedFd >= 0)
            {
                handler.onFrame(queued.wrap(queue.bytes(), queue.offset(slot)), queuedFd);
            }
        }
        queue.clear();
        headBytesSent = 0;
    }

    /** Closes the socket, any fd still queued and any fd received without its whole frame. */
    @Override
    public void close()
    {
        for (int i = 0; i < queue.size(); i++)
        {
            Posix.closeQuietly(queue.fd(queue.slot(i)));
        }
        queue.clear();
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

    /** The rest of a frame whose start, and with it every fd of its sendmsg, already went. */
    private int sendRestOfHead()
    {
        final int head = queue.slot(0);
        return sendSome(queue.bytes().addressOffset() + queue.offset(head) + headBytesSent, queue.length(head) - headBytesSent, 0);
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
        final int limit = Math.min(queue.size(), MAX_FRAMES_PER_SEND);
        final int start = queue.offset(queue.slot(0));
        final boolean withFds = queue.fd(queue.slot(0)) >= 0;
        int frames = 0;
        int fdCount = 0;
        int end = start;
        while (frames < limit)
        {
            final int slot = queue.slot(frames);
            if (queue.offset(slot) != end)
            {
                break; // the ring wrapped: the rest goes in the next sendmsg
            }
            final int queuedFd = queue.fd(slot);
            if (queuedFd >= 0)
            {
                if (!withFds)
                {
                    break;
                }
                sendFds[fdCount++] = queuedFd;
            }
            end += queue.length(slot);
            frames++;
        }
        for (int i = 0, index = 0; index < fdCount; i++)
        {
            final int slot = queue.slot(i);
            if (queue.fd(slot) >= 0)
            {
                ChannelFrame.putFdSlot(queue.bytes(), queue.offset(slot), index++, fdCount);
            }
        }
        final int sent = sendSome(queue.bytes().addressOffset() + start, end - start, fdCount);
        if (sent > 0 && fdCount > 0)
        {
            // The kernel holds its own references now, also for frames a partial write left queued.
            for (int i = 0; i < frames; i++)
            {
                final int slot = queue.slot(i);
                if (queue.fd(slot) >= 0)
                {
                    Posix.closeQuietly(queue.fd(slot));
                    queue.clearFd(slot);
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
        while (inLimit - position >= ChannelFrame.HEADER_LENGTH)
        {
            inFrame.wrap(in, position);
            final int payloadLength = inFrame.payloadLength();
            if (payloadLength < 0 || payloadLength > ChannelFrame.MAX_PAYLOAD_LENGTH)
            {
                markClosed(EPROTO); // not a peer that speaks this protocol: nothing after this can be framed
                break;
            }
            if (inLimit - position < ChannelFrame.HEADER_LENGTH + payloadLength)
            {
                break; // the rest of its payload is still on its way
            }
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
