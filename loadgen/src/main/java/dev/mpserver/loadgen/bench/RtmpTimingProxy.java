package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A TCP proxy on 127.0.0.1 between RTMP players and a server (mpserver or nginx-rtmp alike) that
 * times, per connection, the player's {@code play} command against the first audio or video
 * message the server sends back: "play → first media bytes", seen from the wire, whatever the
 * server. Each direction is copied as it comes and also fed, past its handshake, to a chunk
 * decoder from the protocol codecs. Two threads per connection: a benchmark tool, not a server.
 */
final class RtmpTimingProxy implements AutoCloseable
{
    /** One proxied connection: when its play passed, when the first media came back (0: never). */
    static final class Timing
    {
        volatile long playNanos;
        volatile long firstMediaNanos;

        /** Milliseconds from play to the first media, or -1. */
        double playToMediaMillis()
        {
            return 0 == playNanos || 0 == firstMediaNanos ? -1 : (firstMediaNanos - playNanos) / 1e6;
        }
    }

    private static final int HANDSHAKE_BYTES = Handshake.VERSION_AND_PACKET_LENGTH + Handshake.PACKET_LENGTH;
    private static final int BUFFER = 256 * 1024;

    private final ServerSocket listener;
    private final int upstreamPort;
    private final List<Timing> timings = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private volatile boolean closed;

    RtmpTimingProxy(final int upstreamPort) throws IOException
    {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        final Thread acceptor = new Thread(this::acceptLoop, "rtmp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /** The connections so far that sent {@code play}. */
    synchronized List<Timing> plays()
    {
        final List<Timing> plays = new ArrayList<>();
        for (final Timing timing : timings)
        {
            if (0 != timing.playNanos)
            {
                plays.add(timing);
            }
        }
        return plays;
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket player = listener.accept();
                final Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                player.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                final Timing timing = new Timing();
                synchronized (this)
                {
                    timings.add(timing);
                    sockets.add(player);
                    sockets.add(server);
                }
                pump(player, server, timing, true);
                pump(server, player, timing, false);
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    System.err.println("rtmp proxy: " + ex);
                }
            }
        }
    }

    private static void pump(final Socket from, final Socket to, final Timing timing, final boolean fromPlayer)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] bytes = new byte[BUFFER];
            final UnsafeBuffer view = new UnsafeBuffer(bytes);
            final ChunkDecoder decoder = new ChunkDecoder();
            int handshakeLeft = HANDSHAKE_BYTES;
            int kept = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream())
            {
                while (true)
                {
                    final int read = in.read(bytes, kept, bytes.length - kept);
                    if (read < 0)
                    {
                        break;
                    }
                    out.write(bytes, kept, read);
                    int start = 0;
                    int end = kept + read;
                    if (handshakeLeft > 0)
                    {
                        final int skip = Math.min(handshakeLeft, end);
                        handshakeLeft -= skip;
                        start = skip;
                    }
                    if (start < end && !decoder.hasFailed())
                    {
                        start += decoder.decode(view, start, end - start,
                            (csid, timestamp, typeId, streamId, buffer, offset, length) ->
                                onMessage(timing, fromPlayer, typeId, buffer, offset, length));
                    }
                    kept = decoder.hasFailed() ? 0 : end - start;
                    System.arraycopy(bytes, start, bytes, 0, kept);
                }
            }
            catch (final IOException ex)
            {
                // one side went away: the other is closed below
            }
            finally
            {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, fromPlayer ? "rtmp-proxy-up" : "rtmp-proxy-down");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean onMessage(
        final Timing timing, final boolean fromPlayer, final int typeId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long now = System.nanoTime();
        if (fromPlayer)
        {
            if (0 == timing.playNanos && MessageType.isCommand(typeId) && RtmpCommand.isNamed(buffer, offset, length, typeId, CommandName.PLAY))
            {
                timing.playNanos = now;
            }
        }
        else if (0 == timing.firstMediaNanos && 0 != timing.playNanos && (typeId == MessageType.AUDIO || typeId == MessageType.VIDEO))
        {
            timing.firstMediaNanos = now;
        }
        return true;
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        listener.close();
        synchronized (this)
        {
            for (final Socket socket : sockets)
            {
                closeQuietly(socket);
            }
        }
    }
}
