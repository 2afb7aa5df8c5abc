package dev.mpserver.loadgen.engine;

import java.nio.ByteBuffer;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a connection has for the server and the socket has not taken yet, in its slice of the
 * engine thread's direct memory: the protocol's {@link WireEncoder} writes each frame there, and
 * {@code send(2)} takes what it can; the rest waits for the socket's next EPOLLOUT edge (the
 * connection is registered edge-triggered for both directions). Nothing is allocated per frame.
 */
final class RequestOutput
{
    private final ByteBuffer out;
    private final UnsafeBuffer view;

    /** @return bytes a connection may have waiting at most: its 'C', a full pipeline of pings, an identify. */
    static int capacity(final int pipeline)
    {
        return WireProtocol.CONTROL_FRAME_LENGTH + pipeline * WireProtocol.PROTOTYPE_PING_FRAME_LENGTH +
            WireProtocol.IDENTIFY_FRAME_LENGTH;
    }

    RequestOutput(final ByteBuffer out)
    {
        this.out = out;
        this.view = new UnsafeBuffer(out);
    }

    /** For a new connection. */
    void clear()
    {
        out.clear();
    }

    /** @return true while bytes wait for the socket. */
    boolean isPending()
    {
        return out.position() > 0;
    }

    void putControl(final int shard)
    {
        out.position(out.position() + WireEncoder.putControl(view, out.position(), shard));
    }

    void putPing()
    {
        out.position(out.position() + WireEncoder.putPrototypePing(view, out.position()));
    }

    void putIdentify()
    {
        out.position(out.position() + WireEncoder.putIdentify(view, out.position()));
    }

    /**
     * Writes what waits, as much as the socket takes; what it does not take moves to the start.
     *
     * @return bytes written, or {@code -errno} if the socket failed (what waited is dropped)
     */
    int flush(final int fd)
    {
        final int pending = out.position();
        if (pending == 0)
        {
            return 0;
        }
        final long written = Posix.LIBC.send(fd, view.addressOffset(), pending, MsgHdr.MSG_NOSIGNAL);
        if (written < 0)
        {
            final int errno = Posix.errno();
            if (errno == Errno.EAGAIN || errno == Errno.EINTR)
            {
                return 0;
            }
            out.clear();
            return -errno;
        }
        final int rest = pending - (int)written;
        if (rest > 0)
        {
            view.putBytes(0, view, (int)written, rest);
        }
        out.position(rest);
        return (int)written;
    }
}
