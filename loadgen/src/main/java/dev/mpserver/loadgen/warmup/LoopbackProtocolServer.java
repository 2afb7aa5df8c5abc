package dev.mpserver.loadgen.warmup;

import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The smallest server of the client wire protocol, inside loadgen's own process, for
 * {@link SelfWarmUp}: one thread, one selector, 127.0.0.1 on an ephemeral port. A 'C' is taken
 * (its shard kept for 'I'), every 'M' answered with the ping reply, an 'I' with this process's pid,
 * the connection's serial as slot and its shard, a 'B' dropped; anything else, or a frame over
 * {@link WireProtocol#MAX_FRAME_LENGTH}, closes the connection. It answers what it has read at
 * once, so a client's pipeline of messages gets its replies in one write.
 */
final class LoopbackProtocolServer implements AutoCloseable
{
    private static final int BACKLOG = 4096;
    private static final int SELECT_MILLIS = 100;
    /**
     * A client's input starts small (its frames are tens of bytes) and grows, up to room for the
     * largest frame: thousands of 64 KiB buffers would make the warm-up a test of the GC.
     */
    private static final int INITIAL_INPUT = 256;
    private static final int MAX_INPUT = WireProtocol.MAX_FRAME_LENGTH + INITIAL_INPUT;
    private static final int INITIAL_OUTPUT = 64;

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final Thread thread;
    private final int pid = (int)ProcessHandle.current().pid();
    private final UnsafeBuffer frame =
        new UnsafeBuffer(new byte[Math.max(WireProtocol.IDENTIFY_REPLY_LENGTH, WireProtocol.PING_REPLY_LENGTH)]);
    private volatile boolean closed;
    private volatile Throwable failure;
    private int serial;

    LoopbackProtocolServer() throws IOException
    {
        selector = Selector.open();
        listener = ServerSocketChannel.open();
        try
        {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException e)
        {
            listener.close();
            selector.close();
            throw e;
        }
        thread = new Thread(this::serve, "loadgen-warm-up-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Why the server stopped serving before {@link #close}, or null. */
    Throwable failure()
    {
        return failure;
    }

    int port() throws IOException
    {
        return ((InetSocketAddress)listener.getLocalAddress()).getPort();
    }

    private void serve()
    {
        try
        {
            while (!closed)
            {
                selector.select(SELECT_MILLIS);
                final Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext())
                {
                    final SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid())
                    {
                        continue;
                    }
                    if (key.isAcceptable())
                    {
                        accept();
                    }
                    else
                    {
                        onClient(key);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException e)
        {
            // The warm-up's clients then fail or time out, which ends the warm-up early; the real run is not touched.
            failure = e;
        }
        finally
        {
            for (final SelectionKey key : selector.keys())
            {
                closeQuietly(key);
            }
        }
    }

    private void accept() throws IOException
    {
        SocketChannel client;
        while ((client = listener.accept()) != null)
        {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            client.register(selector, SelectionKey.OP_READ, new Client(serial++));
        }
    }

    private void onClient(final SelectionKey key)
    {
        final Client client = (Client)key.attachment();
        final SocketChannel channel = (SocketChannel)key.channel();
        try
        {
            if (key.isReadable())
            {
                client.makeRoom();
                final int read = channel.read(client.input);
                if (read < 0 || !answer(client))
                {
                    closeQuietly(key);
                    return;
                }
            }
            client.output.flip();
            channel.write(client.output);
            final boolean pending = client.output.hasRemaining();
            client.output.compact();
            key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
        catch (final IOException e)
        {
            closeQuietly(key);
        }
    }

    /** Answers every whole frame in the client's input; false if the client broke the protocol. */
    private boolean answer(final Client client)
    {
        final ByteBuffer in = client.input;
        in.flip();
        try
        {
            while (in.hasRemaining())
            {
                final int start = in.position();
                final byte type = in.get(start);
                if (type == WireProtocol.CONTROL)
                {
                    if (in.remaining() < WireProtocol.CONTROL_FRAME_LENGTH)
                    {
                        break;
                    }
                    client.shard = in.getInt(start + WireProtocol.CONTROL_SHARD_ID_OFFSET);
                    in.position(start + WireProtocol.CONTROL_FRAME_LENGTH);
                }
                else if (type == WireProtocol.IDENTIFY)
                {
                    WireEncoder.putIdentifyReply(frame, 0, pid, client.serial, client.shard, 1);
                    client.reply(frame, WireProtocol.IDENTIFY_REPLY_LENGTH);
                    in.position(start + WireProtocol.IDENTIFY_FRAME_LENGTH);
                }
                else if (type == WireProtocol.MESSAGE || type == WireProtocol.BROADCAST)
                {
                    final int end = terminator(in, start + WireProtocol.BODY_OFFSET);
                    if (end < 0)
                    {
                        if (in.remaining() >= WireProtocol.MAX_FRAME_LENGTH)
                        {
                            return false;
                        }
                        break;
                    }
                    if (type == WireProtocol.MESSAGE)
                    {
                        WireEncoder.putPingReply(frame, 0);
                        client.reply(frame, WireProtocol.PING_REPLY_LENGTH);
                    }
                    in.position(end + WireProtocol.TERMINATOR_LENGTH);
                }
                else
                {
                    return false;
                }
            }
            return true;
        }
        finally
        {
            in.compact();
        }
    }

    private static int terminator(final ByteBuffer in, final int from)
    {
        for (int i = from; i < in.limit(); i++)
        {
            if (in.get(i) == WireProtocol.TERMINATOR)
            {
                return i;
            }
        }
        return -1;
    }

    private static void closeQuietly(final SelectionKey key)
    {
        key.cancel();
        try
        {
            key.channel().close();
        }
        catch (final IOException ignored)
        {
            // Closing a loopback socket of our own: nothing to report.
        }
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        closed = true;
        selector.wakeup();
        thread.join();
        listener.close();
        selector.close();
    }

    /** One connection's buffers (allocated at accept: the warm-up is not a hot path of the measured run). */
    private static final class Client
    {
        final int serial;
        ByteBuffer input = ByteBuffer.allocate(INITIAL_INPUT).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer output = ByteBuffer.allocate(INITIAL_OUTPUT);
        int shard = WireProtocol.NO_SHARD;

        Client(final int serial)
        {
            this.serial = serial;
        }

        /** Doubles a full input buffer, up to {@link #MAX_INPUT} (a frame without its end past that closes the client). */
        void makeRoom()
        {
            if (!input.hasRemaining() && input.capacity() < MAX_INPUT)
            {
                final ByteBuffer grown = ByteBuffer.allocate(Math.min(MAX_INPUT, input.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
                input.flip();
                grown.put(input);
                input = grown;
            }
        }

        void reply(final UnsafeBuffer frame, final int length)
        {
            if (output.remaining() < length)
            {
                final ByteBuffer grown = ByteBuffer.allocate(Math.max(output.capacity() * 2, output.position() + length));
                output.flip();
                grown.put(output);
                output = grown;
            }
            frame.getBytes(0, output, output.position(), length);
            output.position(output.position() + length);
        }
    }
}
