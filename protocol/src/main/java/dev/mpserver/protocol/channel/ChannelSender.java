package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.Posix;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The sending half of a {@link Channel}: the bounded {@link OutboundQueue} and the sendmsg calls
 * that empty it, as few as it can.
 *
 * <p>Up to {@link Channel#MAX_FRAMES_PER_SEND} frames and all their fds go in one sendmsg, each
 * fd-carrying frame stamped with its place in that call's fd array (fd-index of fd-count): passing
 * fds costs a syscall per sendmsg, not per fd, so a burst of hand-offs is a handful of syscalls. A
 * sendmsg that carries fds starts with a frame that carries one, and the fd-less frames in front of
 * it go in their own sendmsg: the receiver then knows that fds nobody claimed once all bytes are in
 * were sent by mistake. A partial write has passed all its fds with its first byte; the frames still
 * queued keep their stamps and go later without fds. Nothing bypasses the queue, so order is kept.
 *
 * <p>Allocation-free: the msghdr, its control buffer and the fd array are allocated once here.
 */
final class ChannelSender
{
    /** Payload bytes a queue holds besides its headers: a few hand-offs' worth of session state at most. */
    private static final int QUEUED_PAYLOAD_BYTES = 4 * ChannelFrame.MAX_FRAME_LENGTH;

    private final LibC libc = Posix.LIBC;
    private final int fd;
    private final MsgHdr header = new MsgHdr(MsgHdr.cmsgSpace(Channel.MAX_FRAMES_PER_SEND * Integer.BYTES));
    private final int[] batchFds = new int[Channel.MAX_FRAMES_PER_SEND];
    private final ChannelFrame queuedFrame = new ChannelFrame();
    /** Per queued frame: its bytes, and the fd still to pass or NO_FD (none, or already passed by a partial write). */
    private final OutboundQueue queue;
    private int headBytesSent;
    /** Frames queued since the last flush that found the socket full; they are counted when one does. */
    private int queuedSinceFull;
    private int seq;
    /** errno of the sendmsg that found the peer gone, once {@link #ended} (0 after a close). */
    private int errno;
    private boolean ended;

    private long framesOut;
    private long framesQueued;
    private long fdLimitStalls;

    ChannelSender(final int fd, final int queueCapacity)
    {
        this.fd = fd;
        this.queue = new OutboundQueue(queueCapacity, queueCapacity * ChannelFrame.HEADER_LENGTH + QUEUED_PAYLOAD_BYTES);
    }

    /** True once a sendmsg found the peer gone (see {@link #errno()}) or the channel was closed. */
    boolean hasEnded()
    {
        return ended;
    }

    int errno()
    {
        return errno;
    }

    int lastSeq()
    {
        return seq;
    }

    int queuedFrames()
    {
        return queue.size();
    }

    boolean hasQueued()
    {
        return !queue.isEmpty();
    }

    /**
     * Queues a frame stamped with the next seq and {@code ack}, flushing when a whole batch is
     * waiting. The caller checked the payload's length and that the channel is open.
     *
     * @return {@link Channel#QUEUED} or {@link Channel#FULL}
     */
    int post(
        final int command,
        final int shardId,
        final int load,
        final int pid,
        final int attachedFd,
        final int ack,
        final DirectBuffer payload,
        final int payloadOffset,
        final int payloadLength)
    {
        final int at = queue.append(ChannelFrame.HEADER_LENGTH + payloadLength, attachedFd);
        if (at == OutboundQueue.NONE)
        {
            return Channel.FULL;
        }
        final UnsafeBuffer bytes = queue.bytes();
        ChannelFrame.encode(bytes, at, command, attachedFd >= 0, shardId, load, pid, ++seq, ack, payloadLength,
            System.nanoTime());
        if (payloadLength > 0)
        {
            bytes.putBytes(at + ChannelFrame.HEADER_LENGTH, payload, payloadOffset, payloadLength);
        }
        queuedSinceFull++;
        if (0 == queue.size() % Channel.MAX_FRAMES_PER_SEND)
        {
            flush(); // a full batch is ready: a long pass must not fill the queue before its end
        }
        return Channel.QUEUED;
    }

    /**
     * Takes back the frame posted last if it still holds {@code attachedFd}: it never reached the
     * kernel, and its caller still has a client to answer.
     *
     * @return true if the fd is the caller's again
     */
    boolean takeBackLast(final int attachedFd)
    {
        final int size = queue.size();
        if (size > 0 && attachedFd >= 0 && queue.fd(queue.slot(size - 1)) == attachedFd)
        {
            queue.removeLast();
            seq--;
            return true;
        }
        return false;
    }

    /**
     * Sends queued frames until the queue is empty or the socket is full again.
     *
     * @return frames still queued, or -1 if the peer is gone
     */
    int flush()
    {
        while (!queue.isEmpty() && !ended)
        {
            final int sent = headBytesSent > 0 ? sendRestOfHead() : sendBatch();
            if (sent < 0)
            {
                if (!ended)
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
        return ended ? -1 : queue.size();
    }

    /** Hands every queued frame that still owns its fd to {@code handler} and empties the queue. */
    void drain(final ChannelFrameHandler handler)
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

    /** Closes every fd still queued and empties the queue; nothing is sent after this. */
    void close()
    {
        for (int i = 0; i < queue.size(); i++)
        {
            Posix.closeQuietly(queue.fd(queue.slot(i)));
        }
        queue.clear();
        ended = true;
    }

    long framesOut()
    {
        return framesOut;
    }

    long framesQueued()
    {
        return framesQueued;
    }

    long fdLimitStalls()
    {
        return fdLimitStalls;
    }

    /** The rest of a frame whose start, and with it every fd of its sendmsg, already went. */
    private int sendRestOfHead()
    {
        final int head = queue.slot(0);
        return sendSome(queue.bytes().addressOffset() + queue.offset(head) + headBytesSent, queue.length(head) - headBytesSent, 0);
    }

    /**
     * One sendmsg of the frames at the head of the queue: up to {@link Channel#MAX_FRAMES_PER_SEND},
     * not across the end of the ring, with every fd they carry; fd-less frames at the head go alone.
     *
     * @return bytes sent, or -1
     */
    private int sendBatch()
    {
        final int limit = Math.min(queue.size(), Channel.MAX_FRAMES_PER_SEND);
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
                batchFds[fdCount++] = queuedFd;
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
        }
        return sent;
    }

    /**
     * One sendmsg of {@code length} bytes with {@code batchFds[0..fdCount)} attached.
     *
     * @return bytes sent, or -1 when nothing was sent (EAGAIN, too many fds in flight, or the peer
     *     is gone: see {@link #ended})
     */
    private int sendSome(final long address, final int length, final int fdCount)
    {
        header.data(address, length);
        if (fdCount > 0)
        {
            header.attachFds(batchFds, fdCount);
        }
        while (true)
        {
            final long sent = libc.sendmsg(fd, header.address(), MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
            if (sent >= 0)
            {
                return (int)sent;
            }
            final int error = Posix.errno();
            if (error == Errno.EINTR)
            {
                continue;
            }
            if (error == Errno.ETOOMANYREFS)
            {
                // Not this channel's fault and not fatal: the peers will read and the count will fall.
                fdLimitStalls++;
            }
            else if (error != Errno.EAGAIN && error != Errno.ENOBUFS)
            {
                ended = true;
                errno = error;
            }
            return -1;
        }
    }
}
