package dev.mpserver.protocol.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.posix.ChildJvm;
import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FdPassingAcrossProcessesTest
{
    private static final int FDS = 10_000;
    private static final int WINDOW = 256;

    @Test
    @Timeout(120)
    void passesTenThousandSocketsToAnotherProcessEachStillTheSameSocketAndLeaksNothing() throws Exception
    {
        final TrackedSockets sockets = new TrackedSockets();
        final int[] pair = Posix.socketPair();
        sockets.track(pair[0]);
        final long[] sentInodes = new long[FDS];
        final int[] received = {0};
        final int[] mismatches = {0};
        final int[] childFds = {-1, -1};

        try (ChildJvm child = ChildJvm.start(FdEchoChild.class, new int[] {pair[1]}, null))
        {
            Posix.close(pair[1]);
            final FileStat stat = new FileStat();
            try (Channel channel = new Channel(pair[0], 4096))
            {
                Posix.setNonBlocking(pair[0]);
                final ChannelFrameHandler replies = (frame, fd) ->
                {
                    if (frame.command() == ChannelCommand.LOAD)
                    {
                        childFds[0] = frame.shardId();
                        childFds[1] = frame.load();
                        return;
                    }
                    final long inode = (frame.load() & 0xFFFFFFFFL) | ((long)frame.pid() << 32);
                    if (inode != sentInodes[frame.shardId()])
                    {
                        mismatches[0]++;
                    }
                    received[0]++;
                };

                int sent = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (received[0] < FDS && System.nanoTime() < deadline)
                {
                    while (sent < FDS && sent - received[0] < WINDOW)
                    {
                        final int socket = sockets.track(Posix.checked("socket",
                            Posix.LIBC.socket(SockAddrIn.AF_INET, Posix.SOCK_STREAM | Posix.SOCK_CLOEXEC, 0)));
                        sentInodes[sent] = stat.of(socket).inode();
                        final int result = channel.send(ChannelCommand.HANDOFF, sent, 0, 0, socket);
                        assertTrue(result == Channel.SENT || result == Channel.QUEUED, "send result " + result);
                        sent++;
                    }
                    channel.flush();
                    channel.receive(replies);
                    assertTrue(!channel.isClosed(), "child closed the channel early");
                }
                assertEquals(FDS, received[0], "replies");
                assertEquals(0, mismatches[0], "fds that arrived as a different socket");

                assertEquals(Channel.SENT, channel.send(ChannelCommand.QUIT, 0, 0, 0, ChannelFrame.NO_FD));
                while (childFds[0] < 0 && System.nanoTime() < deadline)
                {
                    channel.receive(replies);
                    Thread.onSpinWait();
                }
            }
            assertEquals(0, child.awaitExit(30, TimeUnit.SECONDS));
        }
        assertEquals(childFds[0], childFds[1], "child's fd count back to its baseline");
        assertEquals(0, sockets.references(), "the parent holds none of the sockets it passed, nor the channel");
    }
}
