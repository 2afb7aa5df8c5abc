package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.engine.ClientSockets;
import dev.mpserver.loadgen.engine.ThreadMetrics;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One RTMP client's non-blocking socket on its engine thread's selector, and the bytes in flight on
 * it. The buffers are the engine thread's, shared by its clients: input is read into its input
 * buffer behind what this client's last read left over ({@link InputCarry}); output is composed in
 * its output buffer and written at once, and only what the socket did not take is kept
 * ({@link PendingOutput}). Failures are thrown, for the client to judge.
 */
final class RtmpSocket
{
    /** {@link #read}: the server closed the connection. */
    static final int END = -1;

    private final RtmpEngineThread engine;
    private final ThreadMetrics metrics;
    private final InputCarry carry = new InputCarry();
    private final PendingOutput pending = new PendingOutput();
    private SocketChannel channel;
    private SelectionKey key;
    private boolean inputFilled;
    private long bytesRead;

    RtmpSocket(final RtmpEngineThread engine)
    {
        this.engine = engine;
        this.metrics = engine.metrics();
    }

    /** @return true if it connected at once; else {@link #finishConnect} when the selector says so */
    boolean connect(final InetSocketAddress address, final RtmpClient client) throws IOException
    {
        key = ClientSockets.connect(engine.selector(), address, client);
        channel = (SocketChannel)key.channel();
        return ClientSockets.isConnected(key);
    }

    boolean finishConnect() throws IOException
    {
        return channel.finishConnect();
    }

    /**
     * Connected: from now on the socket is watched for input, and for output only while some waits.
     *
     * @return the local port, by which the server's log names the client
     */
    int connected() throws IOException
    {
        key.interestOps(SelectionKey.OP_READ);
        return ((InetSocketAddress)channel.getLocalAddress()).getPort();
    }

    /**
     * Reads behind the bytes the last read left over.
     *
     * @return bytes now at the start of the engine's input buffer, 0 when the socket had nothing new,
     *     or {@link #END}
     */
    int read() throws IOException
    {
        final ByteBuffer in = engine.inDirect();
        final int carried = carry.restore(engine.in());
        in.clear().position(carried);
        final int n = channel.read(in);
        inputFilled = !in.hasRemaining();
        if (n <= 0)
        {
            return n < 0 ? END : 0;
        }
        bytesRead += n;
        metrics.add(RtmpCounters.BYTES_READ, n);
        return carried + n;
    }

    /** @return true if the last read filled the input buffer: the socket may hold more. */
    boolean inputFilled()
    {
        return inputFilled;
    }

    /** Keeps the input the client could not consume yet, {@code [consumed, available)}, for the next read. */
    void keep(final int consumed, final int available, final boolean mayShrink)
    {
        carry.keep(engine.in(), consumed, available, mayShrink);
    }

    /** Writes the first {@code length} bytes of the engine's output buffer, or queues them behind what waits. */
    void write(final int length) throws IOException
    {
        if (pending.length() > 0)
        {
            pending.append(engine.out(), 0, length);
            return;
        }
        final ByteBuffer out = engine.outDirect();
        out.clear().limit(length);
        final int written = channel.write(out);
        metrics.add(RtmpCounters.BYTES_WRITTEN, written);
        if (written < length)
        {
            pending.append(engine.out(), written, length - written);
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** @return bytes written but not yet taken by the socket. */
    int pendingLength()
    {
        return pending.length();
    }

    /**
     * Writes what waits, on OP_WRITE. When the last of it goes, OP_WRITE stays on for one more turn:
     * that turn tells the client the socket has room again.
     *
     * @return bytes written
     */
    int flushPending() throws IOException
    {
        if (pending.length() == 0)
        {
            key.interestOps(SelectionKey.OP_READ);
            return 0;
        }
        final int written = pending.writeTo(channel);
        if (written > 0)
        {
            metrics.add(RtmpCounters.BYTES_WRITTEN, written);
        }
        if (pending.length() == 0)
        {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        return written;
    }

    long bytesRead()
    {
        return bytesRead;
    }

    void close()
    {
        ClientSockets.closeQuietly(channel);
        channel = null;
        key = null;
        pending.release();
    }
}
