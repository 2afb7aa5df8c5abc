package dev.mpserver.loadgen.warmup;

import dev.mpserver.protocol.wire.ClientFrameHandler;
import dev.mpserver.protocol.wire.ClientFrameParser;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * The smallest server of the client wire protocol, inside loadgen's own process, for
 * {@link SelfWarmUp}: one thread, one selector, 127.0.0.1 on an ephemeral port. A 'C' is taken
 * (its shard kept for 'I'), every 'M' answered with the ping reply, an 'I' with this process's pid,
 * the connection's serial as slot and its shard, a 'B' dropped; what the worker's own
 * {@link ClientFrameParser} refuses (an unknown type, a frame over
 * {@link WireProtocol#MAX_FRAME_LENGTH}, a late 'C') closes the connection. It answers what it has read at
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
    private static boolean answer(final Client client)
    {
        final ByteBuffer in = client.input;
        final int consumed = client.parser.parse(client.view, 0, in.position(), client);
        in.flip().position(consumed);
        in.compact();
        return !client.parser.hasFailed();
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

    /**
     * One connection: its buffers (allocated at accept: the warm-up is not a hot path of the
     * measured run) and its {@link ClientFrameParser}, whose frames it answers as a worker would.
     */
    private final class Client implements ClientFrameHandler
    {
        final int serial;
        final ClientFrameParser parser = new ClientFrameParser();
        ByteBuffer input = ByteBuffer.allocate(INITIAL_INPUT);
        final UnsafeBuffer view = new UnsafeBuffer(input);
        ByteBuffer output = ByteBuffer.allocate(INITIAL_OUTPUT);
        int shard = WireProtocol.NO_SHARD;

        Client(final int serial)
        {
            this.serial = serial;
        }

        /** Doubles a full input buffer, up to {@link #MAX_INPUT}: room for the parser to see a frame over the limit. */
        void makeRoom()
        {
            if (!input.hasRemaining() && input.capacity() < MAX_INPUT)
            {
                final ByteBuffer grown = ByteBuffer.allocate(Math.min(MAX_INPUT, input.capacity() * 2));
                input.flip();
                grown.put(input);
                input = grown;
                view.wrap(input);
            }
        }

        @Override
        public boolean onControl(final int shardId)
        {
            shard = shardId;
            return true;
        }

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
        {
            reply(WireEncoder.putPingReply(frame, 0));
            return true;
        }

        @Override
        public boolean onIdentify()
        {
            reply(WireEncoder.putIdentifyReply(frame, 0, pid, serial, shard, 1));
            return true;
        }

        @Override
        public boolean onBroadcast(final DirectBuffer buffer, final int frameOffset, final int frameLength)
        {
            return true; // no other client of the shard to pass it to
        }

        @Override
        public void onError(final ErrorCode code, final String reason)
        {
            // answer() sees parser.hasFailed() and the connection is closed.
        }

        private void reply(final int length)
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
