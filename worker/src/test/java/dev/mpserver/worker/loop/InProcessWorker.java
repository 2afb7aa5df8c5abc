package dev.mpserver.worker.loop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.worker.WorkerCounters;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A worker loop on a thread of the test, which plays the master: it holds the master's end of the
 * channel (real socketpair, real SCM_RIGHTS), sees every frame the worker sends, and can hand the
 * worker real client sockets. Clients can also connect to the worker's own listener.
 */
final class InProcessWorker implements AutoCloseable
{
    private static final long TIMEOUT_NANOS = 5_000_000_000L;

    /** A frame the worker sent, as the test sees it, with the fd it carried (closed with the harness) or -1, and its payload. */
    record Frame(int command, int shardId, int load, int ack, int fd, int payloadLength, byte[] payload)
    {
    }

    private final List<Socket> clients = new ArrayList<>();
    private final List<Frame> frames = new ArrayList<>();
    private final List<Integer> receivedFds = new ArrayList<>();
    private final int clientListenFd;
    private final int workerListenFd;
    private final Channel master;
    private final WorkerLoop loop;
    private final Thread thread;

    InProcessWorker(final WorkerConfig config)
    {
        final int[] pair = Posix.socketPair();
        master = new Channel(pair[0]);
        Posix.setNonBlocking(pair[0]);
        workerListenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 64);
        clientListenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 64);
        loop = new WorkerLoop(config, workerListenFd, pair[1]);
        thread = new Thread(loop::run, "worker-loop");
        thread.start();
        awaitFrame(ChannelCommand.READY);
    }

    WorkerCounters counters()
    {
        return loop.counters();
    }

    /** The port of the worker's own listener. */
    int port()
    {
        return Posix.localPort(workerListenFd);
    }

    /** A client whose server end the test hands to the worker with {@code payload}, as if another worker had exported it. */
    Socket handOverWithState(final int shardId, final byte[] payload) throws IOException
    {
        final Socket client = new Socket(InetAddress.getLoopbackAddress(), Posix.localPort(clientListenFd));
        track(client);
        final int fd = Posix.checked("accept4", Posix.LIBC.accept4(clientListenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC));
        final int result = master.send(ChannelCommand.HANDOFF, shardId, 0, 0, fd, new UnsafeBuffer(payload), 0, payload.length);
        if (result != Channel.SENT && result != Channel.QUEUED)
        {
            throw new IOException("hand-off not sent: " + result);
        }
        return client;
    }

    /** A client of the worker's own listener, as a user would connect. */
    Socket connect() throws IOException
    {
        return track(new Socket(InetAddress.getLoopbackAddress(), Posix.localPort(workerListenFd)));
    }

    /**
     * A client whose server end the test hands to the worker as the master would, after the
     * client wrote {@code firstBytes} (its stream after 'C', which the master never reads).
     */
    Socket handOver(final int shardId, final byte[] firstBytes) throws IOException
    {
        return handOver(shardId, firstBytes, 0);
    }

    /** {@link #handOver(int, byte[])} with the client's SO_RCVBUF set (0: the default) before it connects. */
    Socket handOver(final int shardId, final byte[] firstBytes, final int receiveBuffer) throws IOException
    {
        final Socket client = new Socket();
        if (receiveBuffer > 0)
        {
            client.setReceiveBufferSize(receiveBuffer);
        }
        client.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), Posix.localPort(clientListenFd)));
        track(client);
        client.getOutputStream().write(firstBytes);
        final int fd = Posix.checked("accept4", Posix.LIBC.accept4(clientListenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC));
        final int result = master.send(ChannelCommand.HANDOFF, shardId, 0, 0, fd);
        if (result != Channel.SENT && result != Channel.QUEUED)
        {
            throw new IOException("hand-off not sent: " + result);
        }
        return client;
    }

    /**
     * Hands the worker {@code fd} with a hand-off's payload, as the master forwards one it got from
     * another worker (the channel closes the test's copy once the kernel has passed it).
     */
    void handOverFd(final int shardId, final int fd, final byte[] payload) throws IOException
    {
        receivedFds.remove(Integer.valueOf(fd));
        final int result = master.send(ChannelCommand.HANDOFF, shardId, 0, 0, fd, new UnsafeBuffer(payload), 0, payload.length);
        if (result != Channel.SENT && result != Channel.QUEUED)
        {
            throw new IOException("hand-off not sent: " + result);
        }
    }

    void send(final int command, final int shardId)
    {
        master.send(command, shardId, 0, 0, ChannelFrame.NO_FD);
    }

    /** The next frame of {@code command} the worker sent, within 5 s. */
    Frame awaitFrame(final int command)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < frames.size(); i++)
            {
                if (frames.get(i).command() == command)
                {
                    return frames.remove(i);
                }
            }
            master.receive((frame, fd) ->
            {
                final byte[] payload = new byte[frame.payloadLength()];
                frame.buffer().getBytes(frame.payloadOffset(), payload);
                frames.add(new Frame(frame.command(), frame.shardId(), frame.load(), frame.ack(), fd, frame.payloadLength(), payload));
                if (fd >= 0)
                {
                    receivedFds.add(fd);
                }
            });
            Thread.onSpinWait();
        }
        throw new AssertionError("no " + ChannelCommand.name(command) + " within 5 s; others: " + frames);
    }

    @Override
    public void close() throws Exception
    {
        master.send(ChannelCommand.QUIT_NOW, 0, 0, 0, ChannelFrame.NO_FD);
        thread.join(5_000);
        master.close();
        Posix.closeQuietly(workerListenFd);
        Posix.closeQuietly(clientListenFd);
        for (final int fd : receivedFds)
        {
            Posix.closeQuietly(fd);
        }
        for (final Socket client : clients)
        {
            client.close();
        }
    }

    private Socket track(final Socket client) throws IOException
    {
        client.setSoTimeout(5_000);
        clients.add(client);
        return client;
    }
}
