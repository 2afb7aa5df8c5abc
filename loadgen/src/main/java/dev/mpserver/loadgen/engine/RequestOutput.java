package dev.mpserver.loadgen.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a connection has for the server and the socket has not taken yet, in its slice of the
 * engine thread's direct memory: the protocol's {@link WireEncoder} writes each frame there, and
 * the connection asks for OP_WRITE only while some bytes wait. Nothing is allocated per frame.
 */
final class RequestOutput
{
    private final ByteBuffer out;
    private final UnsafeBuffer view;
    private boolean writeInterest;

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

    /** For a new connection, whose key starts without OP_WRITE. */
    void clear()
    {
        out.clear();
        writeInterest = false;
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
     * Writes what waits, as much as the socket takes, and asks for OP_WRITE while some is left.
     *
     * @return bytes written
     * @throws IOException from the socket; what waited is dropped
     */
    int flush(final SocketChannel channel, final SelectionKey key) throws IOException
    {
        if (out.position() == 0)
        {
            return 0;
        }
        out.flip();
        final int written;
        try
        {
            written = channel.write(out);
        }
        catch (final IOException e)
        {
            out.clear();
            throw e;
        }
        out.compact();
        final boolean pending = out.position() > 0;
        if (pending != writeInterest)
        {
            writeInterest = pending;
            key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        return written;
    }
}
