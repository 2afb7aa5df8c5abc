package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The receiving half of a {@link Channel}: recvmsg into one buffer, the fds of each read taken
 * out of its control messages, and every complete frame handed over with the fd it claims.
 *
 * <p>Linux hands a sendmsg's fds to the recvmsg that reads its first byte and never the fds of two
 * sendmsgs to one recvmsg; {@link ReceivedFds} keeps them in groups, one per sendmsg, and each
 * fd-carrying frame claims its fd by index from the oldest group. A partial frame stays buffered
 * (its fds are already in their group) until the rest arrives, payload included. A peer that
 * declares a payload over the limit is broken: the receiver fails with EPROTO, since nothing after
 * it can be framed. Fds no frame claims are closed, and a frame whose fd was dropped (MSG_CTRUNC:
 * the receiver is at its fd limit) is handed over as {@link ChannelFrame#FD_LOST} without shifting
 * any other frame's fd.
 *
 * <p>Allocation-free: the msghdr, its control buffer and the receive buffer are allocated once here.
 */
final class ChannelReceiver implements AutoCloseable
{
    static final int NOTHING_READ = -1;

    /** Reads of up to this many headers at once, and always room for the largest frame. */
    private static final int RECEIVE_BYTES = 512 * ChannelFrame.HEADER_LENGTH + ChannelFrame.MAX_FRAME_LENGTH;
    /** Room for the most fds one sendmsg can carry, so that our buffer never truncates a peer's fds. */
    private static final int CONTROL_CAPACITY = MsgHdr.cmsgSpace(MsgHdr.SCM_MAX_FD * Integer.BYTES) + MsgHdr.cmsgSpace(16);
    private static final int EPROTO = 71;

    private final LibC libc = Posix.LIBC;
    private final int fd;
    private final MsgHdr header = new MsgHdr(CONTROL_CAPACITY);
    private final UnsafeBuffer in = NativeMemory.allocate(RECEIVE_BYTES);
    private final ChannelFrame inFrame = new ChannelFrame();
    private final ReceivedFds receivedFds = new ReceivedFds();
    private int inLimit;
    /** seq of the last frame received: every frame posted carries it as its ack. */
    private int lastReceivedSeq;
    /** errno of the read that ended the channel (0 for an orderly EOF or a close), once {@link #ended}. */
    private int errno;
    private boolean ended;

    ChannelReceiver(final int fd)
    {
        this.fd = fd;
    }

    /**
     * True once the peer closed, the socket failed, the peer broke the framing (see {@link #errno()})
     * or the channel was closed, maybe by a handler while frames of its read were still to deliver.
     */
    boolean hasEnded()
    {
        return ended;
    }

    int errno()
    {
        return errno;
    }

    int lastReceivedSeq()
    {
        return lastReceivedSeq;
    }

    /**
     * One recvmsg (again after EINTR), then every frame it completed handed to {@code handler}.
     *
     * @return frames delivered, or {@link #NOTHING_READ} on EAGAIN, EOF or a failure
     */
    int read(final ChannelFrameHandler handler)
    {
        while (!ended)
        {
            header.data(in.addressOffset() + inLimit, in.capacity() - inLimit).expectControl();
            final long read = libc.recvmsg(fd, header.address(), MsgHdr.MSG_CMSG_CLOEXEC | MsgHdr.MSG_DONTWAIT);
            if (read < 0)
            {
                final int error = Posix.errno();
                if (error == Errno.EINTR)
                {
                    continue;
                }
                if (error != Errno.EAGAIN)
                {
                    fail(error);
                }
                return NOTHING_READ;
            }
            if (0 == read)
            {
                fail(0);
                return NOTHING_READ;
            }
            inLimit += (int)read;
            takeControlFds();
            return dispatch(handler);
        }
        return NOTHING_READ;
    }

    /** Closes any fd received without its whole frame; nothing is read after this. */
    @Override
    public void close()
    {
        receivedFds.close();
        ended = true;
    }

    /** Puts the fds of the last read, if it brought any (or lost some: MSG_CTRUNC), in a new group. */
    private void takeControlFds()
    {
        final int controlLength = header.controlLength();
        final boolean truncated = (header.flags() & MsgHdr.MSG_CTRUNC) != 0;
        if (controlLength < MsgHdr.CMSG_DATA_OFFSET && !truncated)
        {
            return;
        }
        receivedFds.beginGroup();
        final UnsafeBuffer control = header.control();
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
                fail(EPROTO); // not a peer that speaks this protocol: nothing after this can be framed
                break;
            }
            if (inLimit - position < ChannelFrame.HEADER_LENGTH + payloadLength)
            {
                break; // the rest of its payload is still on its way
            }
            final int frameFd = inFrame.hasFd() ? receivedFds.claim(inFrame.fdIndex(), inFrame.fdCount()) : ChannelFrame.NO_FD;
            position += inFrame.frameLength();
            lastReceivedSeq = inFrame.seq();
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

    private void fail(final int error)
    {
        ended = true;
        errno = error;
    }
}
