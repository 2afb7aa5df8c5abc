package dev.mpserver.worker.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker loop on a thread of the test, which holds the master's end of the channel and hands it
 * real client sockets: how a full worker returns hand-offs, and that a shard it returned as empty
 * stays returned until the master says it moved, so that no client of it still on its way can
 * split it.
 */
class WorkerReturnTest
{
    private static final long TIMEOUT_NANOS = 5_000_000_000L;
    private static final byte[] PING = "Mclient, ping message!\0".getBytes(StandardCharsets.US_ASCII);

    private final List<Socket> clients = new ArrayList<>();
    private final List<int[]> frames = new ArrayList<>();
    private int clientListenFd;
    private int workerListenFd;
    private Channel master;
    private Thread loop;

    @BeforeEach
    void startWorker()
    {
        final int[] pair = Posix.socketPair();
        master = new Channel(pair[0]);
        Posix.setNonBlocking(pair[0]);
        workerListenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 16);
        clientListenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 16);
        final WorkerConfig config = new WorkerConfig(0, 1, 60_000, 64 * 1024, 1_000, 1_000, null);
        loop = new Thread(() -> new WorkerLoop(config, workerListenFd, pair[1]).run(), "worker-loop");
        loop.start();
        awaitFrame(ChannelCommand.READY);
    }

    @AfterEach
    void stopWorker() throws Exception
    {
        master.send(ChannelCommand.QUIT_NOW, 0, 0, 0, ChannelFrame.NO_FD);
        loop.join(5_000);
        master.close();
        Posix.closeQuietly(workerListenFd);
        Posix.closeQuietly(clientListenFd);
        for (final Socket client : clients)
        {
            client.close();
        }
    }

    @Test
    void aShardReturnedAsEmptyStaysReturnedUntilShardMoved() throws Exception
    {
        final Socket first = handOff(1);
        expectPingReply(first);

        handOff(2);
        final int[] returned = awaitFrame(ChannelCommand.RETURN);
        assertEquals(2, returned[1], "the new shard's client comes back");
        assertEquals(0, returned[2], "with no other client of it here: the master may move the shard");

        handOff(1);
        final int[] own = awaitFrame(ChannelCommand.RETURN);
        assertEquals(1, own[1]);
        assertEquals(1, own[2], "a shard with a client here: moving it would split it");

        first.close();
        int[] load;
        do
        {
            load = awaitFrame(ChannelCommand.LOAD);
        }
        while (load[2] != 0);

        handOff(2);
        final int[] stillReturned = awaitFrame(ChannelCommand.RETURN);
        assertEquals(2, stillReturned[1], "room again, but shard 2 may be served elsewhere by now");

        master.send(ChannelCommand.SHARD_MOVED, 2, 0, 0, ChannelFrame.NO_FD);
        final Socket later = handOff(2);
        expectPingReply(later);
    }

    /** Connects a client, lets it send a message, and hands its server end to the worker as the master would. */
    private Socket handOff(final int shardId) throws IOException
    {
        final Socket client = new Socket(InetAddress.getLoopbackAddress(), Posix.localPort(clientListenFd));
        client.setSoTimeout(5_000);
        clients.add(client);
        client.getOutputStream().write(PING);
        final int fd = Posix.checked("accept4", Posix.LIBC.accept4(clientListenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC));
        final int result = master.send(ChannelCommand.HANDOFF, shardId, 0, 0, fd);
        assertTrue(result == Channel.SENT || result == Channel.QUEUED, "hand-off sent");
        return client;
    }

    private static void expectPingReply(final Socket client) throws IOException
    {
        final InputStream in = client.getInputStream();
        assertArrayEquals(WireProtocol.PING_REPLY, in.readNBytes(WireProtocol.PING_REPLY.length));
    }

    /** Waits for the next frame of {@code command}: {command, shard, load, ack}; closes any fd it brought. */
    private int[] awaitFrame(final int command)
    {
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (System.nanoTime() < deadline)
        {
            for (int i = 0; i < frames.size(); i++)
            {
                if (frames.get(i)[0] == command)
                {
                    return frames.remove(i);
                }
            }
            master.receive((frame, fd) ->
            {
                frames.add(new int[] {frame.command(), frame.shardId(), frame.load(), frame.ack()});
                if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
            });
            Thread.onSpinWait();
        }
        throw new AssertionError("no " + ChannelCommand.name(command) + " within 5 s; got " + frames.size() + " others");
    }
}
