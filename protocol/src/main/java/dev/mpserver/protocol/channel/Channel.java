package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One end of a master ⇄ worker socketpair: sends and receives {@link ChannelFrame}s, each with at
 * most one fd attached (SCM_RIGHTS). Non-blocking in both directions and allocation-free: the
 * msghdr, iovec, control buffer, receive buffer and outbound queue are allocated once here.
 *
 * <h2>Receiving</h2>
 * {@link #receive} reads until EAGAIN (never one message per wake-up: signals and epoll edges
 * coalesce). Linux's stream recvmsg copies fd-less bytes and then at most one fd-carrying sendmsg,
 * stopping right after that one: so the fds of a read belong to the frame holding the read's
 * <em>last</em> byte (bytes before it in the same read are earlier, fd-less frames). Every frame
 * with an fd is sent with its own sendmsg, and the receive buffer always starts at a frame
 * boundary, which makes that frame's offset a simple rounding down. A partial frame stays
 * buffered with its fd until the rest arrives. Every cmsg is
 * walked: fds beyond the one expected are closed, a truncated control message (MSG_CTRUNC: the
 * receiver is at its fd limit) is reported to the handler as {@link ChannelFrame#FD_LOST}.
 *
 * <h2>Sending</h2>
 * {@link #send} takes ownership of the fd unless it answers {@link #FULL} or {@link #CLOSED}:
 * after a successful sendmsg the channel closes its copy. When the socket buffer is full the
 * frame (and fd) wait in a bounded FIFO that {@link #flush} empties when the socket is writable
 * again (POLL_OUT / EPOLLOUT); order is kept because nothing bypasses a non-empty queue.
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
    private static final int RECEIVE_FRAMES = 512;
    /** Room for a few SCM_RIGHTS fds, so that a peer that attaches several is seen (and its extras closed). */
    private static final int CONTROL_CAPACITY = MsgHdr.cmsgSpace(16 * Integer.BYTES) + MsgHdr.cmsgSpace(16);
    private static final int FRAME = ChannelFrame.HEADER_LENGTH;

    private final LibC libc = Posix.LIBC;
    private final int fd;
    private final MsgHdr receiveHeader = new MsgHdr(CONTROL_CAPACITY);
    private final MsgHdr sendHeader = new MsgHdr(MsgHdr.cmsgSpace(Integer.BYTES));
    private final UnsafeBuffer in = NativeMemory.allocate(RECEIVE_FRAMES * FRAME);
    private final ChannelFrame inFrame = new ChannelFrame();
    private final UnsafeBuffer out = NativeMemory.allocate(FRAME);

    private final int queueCapacity;
    private final UnsafeBuffer queue;
    private final int[] queueFds;
    private int queueHead;
    private int queueSize;
    private int headBytesSent;

    private int inLimit;
    private int pendingFd = ChannelFrame.NO_FD;
    private int pendingFdOffset;
    private int seq;
    private boolean closed;
    private int lastErrno;

    private long framesIn;
    private long framesOut;
    private long fdsIn;
    private long fdsOut;
    private long extraFdsClosed;
    private long fdsLost;
    private long framesQueued;
    private long framesRejected;

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
        int delivered = 0;
        while (!closed)
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
            acceptFd(takeControlFds(), ((inLimit - 1) / FRAME) * FRAME);
            delivered += dispatch(handler);
        }
        return delivered;
    }

    /**
     * Sends a frame, or queues it if the socket is full. Ownership of {@code attachedFd} passes to
     * the channel on {@link #SENT} and {@link #QUEUED}.
     *
     * @param attachedFd fd to pass, or {@link ChannelFrame#NO_FD}
     * @return {@link #SENT}, {@link #QUEUED}, {@link #FULL} or {@link #CLOSED}
     */
    public int send(final int command, final int shardId, final int load, final int pid, final int attachedFd)
    {
        if (closed)
        {
            return CLOSED;
        }
        final boolean hasFd = attachedFd >= 0;
        if (queueSize > 0)
        {
            return enqueue(command, hasFd, shardId, load, pid, attachedFd);
        }
        ChannelFrame.encode(out, 0, command, hasFd, shardId, load, pid, ++seq);
        final int sent = sendSome(out.addressOffset(), FRAME, attachedFd);
        if (sent == FRAME)
        {
            return SENT;
        }
        if (sent < 0)
        {
            --seq; // not sent: CLOSED hands the frame back, enqueue numbers it again
            return closed ? CLOSED : enqueue(command, hasFd, shardId, load, pid, attachedFd);
        }
        // A partial write carried the fd with its first byte; the rest goes without it.
        final int slot = slot(queueSize++);
        queue.putBytes(slot * FRAME, out, 0, FRAME);
        queueFds[slot] = ChannelFrame.NO_FD;
        headBytesSent = sent;
        framesQueued++;
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
            final int slot = slot(0);
            final int fdToSend = 0 == headBytesSent ? queueFds[slot] : ChannelFrame.NO_FD;
            final int sent = sendSome(queue.addressOffset() + (long)slot * FRAME + headBytesSent, FRAME - headBytesSent, fdToSend);
            if (sent < 0)
            {
                break;
            }
            queueFds[slot] = ChannelFrame.NO_FD;
            headBytesSent += sent;
            if (headBytesSent < FRAME)
            {
                break;
            }
            headBytesSent = 0;
            queueHead = slot(1);
            queueSize--;
        }
        return closed ? -1 : queueSize;
    }

    /** seq of the last frame sent or queued: lets the peer's later frames say which of ours they had seen. */
    public int lastSeq()
    {
        return seq;
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
        final int start = 0 == headBytesSent ? 0 : 1;
        for (int i = start; i < queueSize; i++)
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
        Posix.closeQuietly(pendingFd);
        pendingFd = ChannelFrame.NO_FD;
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

    /** Fds a peer attached beyond the one a frame may carry; each was closed. */
    public long extraFdsClosed()
    {
        return extraFdsClosed;
    }

    /** Frames that should have carried an fd but arrived without (MSG_CTRUNC). */
    public long fdsLost()
    {
        return fdsLost;
    }

    public long framesQueued()
    {
        return framesQueued;
    }

    public long framesRejected()
    {
        return framesRejected;
    }

    private int enqueue(
        final int command, final boolean hasFd, final int shardId, final int load, final int pid, final int attachedFd)
    {
        if (queueSize == queueCapacity)
        {
            framesRejected++;
            return FULL;
        }
        final int slot = slot(queueSize++);
        ChannelFrame.encode(queue, slot * FRAME, command, hasFd, shardId, load, pid, ++seq);
        queueFds[slot] = attachedFd;
        framesQueued++;
        return QUEUED;
    }

    private int slot(final int index)
    {
        final int slot = queueHead + index;
        return slot >= queueCapacity ? slot - queueCapacity : slot;
    }

    /**
     * One sendmsg. On success closes {@code attachedFd} (the peer has its own copy now).
     *
     * @return bytes sent, or -1 when nothing was sent (EAGAIN, or the peer is gone: see {@link #closed})
     */
    private int sendSome(final long address, final int length, final int attachedFd)
    {
        sendHeader.data(address, length);
        if (attachedFd >= 0)
        {
            sendHeader.attachFd(attachedFd);
        }
        while (true)
        {
            final long sent = libc.sendmsg(fd, sendHeader.address(), MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
            if (sent >= 0)
            {
                if (attachedFd >= 0)
                {
                    Posix.closeQuietly(attachedFd);
                    fdsOut++;
                }
                if (sent == length)
                {
                    framesOut++;
                }
                return (int)sent;
            }
            final int errno = Posix.errno();
            if (errno == Errno.EINTR)
            {
                continue;
            }
            if (errno != Errno.EAGAIN && errno != Errno.ENOBUFS)
            {
                markClosed(errno);
            }
            return -1;
        }
    }

    /** Walks every cmsg: keeps the first SCM_RIGHTS fd, closes any other. */
    private int takeControlFds()
    {
        final UnsafeBuffer control = receiveHeader.control();
        final int controlLength = receiveHeader.controlLength();
        int kept = ChannelFrame.NO_FD;
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
                    final int received = control.getInt(p);
                    if (kept == ChannelFrame.NO_FD)
                    {
                        kept = received;
                    }
                    else
                    {
                        Posix.closeQuietly(received);
                        extraFdsClosed++;
                    }
                }
            }
            at += MsgHdr.align(cmsgLength);
        }
        return kept;
    }

    /** @param frameOffset offset in {@link #in} of the frame the fd came with */
    private void acceptFd(final int receivedFd, final int frameOffset)
    {
        if (receivedFd < 0)
        {
            return;
        }
        fdsIn++;
        if (pendingFd >= 0)
        {
            // Two fds for one frame: a peer that does not follow the protocol. Never leak it.
            Posix.closeQuietly(receivedFd);
            extraFdsClosed++;
            return;
        }
        pendingFd = receivedFd;
        pendingFdOffset = frameOffset;
    }

    private int dispatch(final ChannelFrameHandler handler)
    {
        int position = 0;
        int delivered = 0;
        while (inLimit - position >= FRAME)
        {
            inFrame.wrap(in, position);
            int frameFd = ChannelFrame.NO_FD;
            if (pendingFd >= 0 && pendingFdOffset == position)
            {
                frameFd = pendingFd;
                pendingFd = ChannelFrame.NO_FD;
            }
            if (inFrame.hasFd() && frameFd < 0)
            {
                frameFd = ChannelFrame.FD_LOST;
                fdsLost++;
            }
            else if (!inFrame.hasFd() && frameFd >= 0)
            {
                Posix.closeQuietly(frameFd);
                extraFdsClosed++;
                frameFd = ChannelFrame.NO_FD;
            }
            position += inFrame.frameLength();
            framesIn++;
            delivered++;
            handler.onFrame(inFrame, frameFd);
        }
        if (position > 0)
        {
            final int remaining = inLimit - position;
            if (remaining > 0)
            {
                in.putBytes(0, in, position, remaining);
            }
            inLimit = remaining;
            pendingFdOffset -= position;
        }
        return delivered;
    }

    private void markClosed(final int errno)
    {
        closed = true;
        lastErrno = errno;
    }
}
