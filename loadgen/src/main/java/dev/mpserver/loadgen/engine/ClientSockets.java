package dev.mpserver.loadgen.engine;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * How an RTMP client of loadgen opens and drops its socket: non-blocking, on its engine thread's
 * selector ({@code run}'s clients are plain fds on an epoll set: {@link EngineThread}).
 */
public final class ClientSockets
{
    private ClientSockets()
    {
    }

    /**
     * Starts a non-blocking connect with TCP_NODELAY (a client's frames are small and each is awaited)
     * and registers it: for OP_CONNECT, or for OP_READ if it connected at once (a local server may).
     *
     * @return its key; {@link #isConnected} says which
     */
    public static SelectionKey connect(final Selector selector, final InetSocketAddress address, final Object attachment)
        throws IOException
    {
        // An IPv4 socket for an IPv4 address: SocketChannel.open() makes a dual-stack IPv6 one, which
        // costs a setsockopt(IPV6_V6ONLY) per client and the kernel's v4-mapped path on every segment.
        final SocketChannel channel = SocketChannel.open(
            address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final boolean connected = channel.connect(address);
            return channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, attachment);
        }
        catch (final IOException | RuntimeException e)
        {
            closeQuietly(channel);
            throw e;
        }
    }

    public static boolean isConnected(final SelectionKey key)
    {
        return ((SocketChannel)key.channel()).isConnected();
    }

    /** Closes a socket we are abandoning (its key goes with it). */
    public static void closeQuietly(final SocketChannel channel)
    {
        if (null == channel)
        {
            return;
        }
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Nothing left to do for a connection we are abandoning.
        }
    }
}
