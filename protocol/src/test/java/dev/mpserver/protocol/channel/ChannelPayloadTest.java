package dev.mpserver.protocol.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Frames with a payload (a hand-off's session state) over a real socketpair: each arrives whole
 * with its own fd and its own bytes, whatever the batching, the read boundaries and the ring's
 * wrap; a payload over the limit is refused at the sender and a peer that declares one closes
 * the channel.
 */
class ChannelPayloadTest
{
    private final List<Received> received = new ArrayList<>();
    private final ChannelFrameHandler collect = (frame, fd) ->
    {
        final byte[] payload = new byte[frame.payloadLength()];
        frame.buffer().getBytes(frame.payloadOffset(), payload);
        received.add(new Received(frame.command(), frame.shardId(), fd, payload));
    };
    private final TrackedSockets sockets = new TrackedSockets();
    private int[] pair;

    private record Received(int command, int shardId, int fd, byte[] payload)
    {
    }

    @BeforeEach
    void openPair()
    {
        pair = Posix.socketPair();
        sockets.track(pair[0]);
        sockets.track(pair[1]);
        Posix.setNonBlocking(pair[0]);
        Posix.setNonBlocking(pair[1]);
    }

    @AfterEach
    void noFdLeaked()
    {
        Posix.closeQuietly(pair[0]);
        Posix.closeQuietly(pair[1]);
        for (final Received frame : received)
        {
            Posix.closeQuietly(frame.fd());
        }
        assertEquals(0, sockets.references(), "fds left open on the test's sockets");
    }

    @Test
    void handOffsWithPayloadsArriveWithTheirOwnFdsAndBytesAmongFramesWithout()
    {
        final Channel sender = new Channel(pair[1]);
        final Channel receiver = new Channel(pair[0]);
        final FileStat stat = new FileStat();
        final long[] inodes = new long[10];
        for (int i = 0; i < 10; i++)
        {
            final int socket = newSocket();
            inodes[i] = stat.of(socket).inode();
            final UnsafeBuffer state = payload(i * 100, i);
            assertEquals(Channel.QUEUED, sender.post(ChannelCommand.HANDOFF, i, 0, 1, socket, state, 0, i * 100));
            assertEquals(Channel.QUEUED, sender.post(ChannelCommand.LOAD, 1000 + i, i, 1, ChannelFrame.NO_FD));
        }
        assertEquals(0, sender.flush());
        receiveAll(receiver, 20);
        for (int i = 0; i < 10; i++)
        {
            final Received handOff = received.get(2 * i);
            assertEquals(ChannelCommand.HANDOFF, handOff.command());
            assertEquals(i, handOff.shardId());
            assertEquals(inodes[i], stat.of(handOff.fd()).inode(), "hand-off " + i + " has its own fd");
            assertArrayEquals(bytes(i * 100, i), handOff.payload(), "hand-off " + i + " has its own state");
            assertEquals(ChannelCommand.LOAD, received.get(2 * i + 1).command());
            assertEquals(0, received.get(2 * i + 1).payload().length);
        }
    }

    @Test
    void aLargestPayloadArrivingInPiecesIsDeliveredOnceWhole()
    {
        final Channel receiver = new Channel(pair[0]);
        final int length = ChannelFrame.MAX_PAYLOAD_LENGTH;
        final UnsafeBuffer frame = NativeMemory.allocate(ChannelFrame.HEADER_LENGTH + length);
        ChannelFrame.encode(frame, 0, ChannelCommand.HANDOFF, false, 7, 0, 0, 1, 0, length, 0L);
        frame.putBytes(ChannelFrame.HEADER_LENGTH, bytes(length, 3));
        final int total = ChannelFrame.HEADER_LENGTH + length;
        int written = 0;
        for (final int piece : new int[] {3, ChannelFrame.HEADER_LENGTH, 5000, total})
        {
            final int upTo = Math.min(total, written + piece);
            assertEquals(upTo - written, Posix.LIBC.write(pair[1], frame.addressOffset() + written, upTo - written));
            written = upTo;
            assertEquals(written == total ? 1 : 0, receiver.receive(collect), "after " + written + " of " + total + " bytes");
            if (written == total)
            {
                break;
            }
        }
        assertArrayEquals(bytes(length, 3), received.get(0).payload());
    }

    @Test
    void theQueueWrapsWithFramesOfEveryLengthAndKeepsTheirOrder()
    {
        final Channel sender = new Channel(pair[1], 64);
        final Channel receiver = new Channel(pair[0]);
        int sent = 0;
        int full = 0;
        for (int round = 0; round < 40; round++)
        {
            for (int i = 0; i < 7; i++, sent++)
            {
                final int length = (sent * 3_001) % (ChannelFrame.MAX_PAYLOAD_LENGTH + 1);
                int result;
                while ((result = sender.post(ChannelCommand.HANDOFF, sent, 0, 1, ChannelFrame.NO_FD,
                    payload(length, sent), 0, length)) == Channel.FULL)
                {
                    full++; // the queue's bytes are bounded: drain, then try again
                    sender.flush();
                    receiver.receive(collect);
                }
                assertEquals(Channel.QUEUED, result, "frame " + sent);
            }
            sender.flush();
            receiver.receive(collect);
        }
        while (sender.flush() > 0 || received.size() < sent)
        {
            receiver.receive(collect);
        }
        assertEquals(sent, received.size());
        assertTrue(full > 0, "the byte bound was reached along the way");
        for (int i = 0; i < sent; i++)
        {
            assertEquals(i, received.get(i).shardId());
            assertArrayEquals(bytes((i * 3_001) % (ChannelFrame.MAX_PAYLOAD_LENGTH + 1), i), received.get(i).payload(), "frame " + i);
        }
    }

    @Test
    void aPayloadOverTheLimitIsRefusedAtTheSender()
    {
        final Channel sender = new Channel(pair[1]);
        final UnsafeBuffer big = NativeMemory.allocate(ChannelFrame.MAX_PAYLOAD_LENGTH + 1);
        assertThrows(IllegalArgumentException.class,
            () -> sender.post(ChannelCommand.HANDOFF, 1, 0, 1, ChannelFrame.NO_FD, big, 0, big.capacity()));
        assertEquals(0, sender.queuedFrames());
    }

    @Test
    void aPeerDeclaringAPayloadOverTheLimitClosesTheChannel()
    {
        final Channel receiver = new Channel(pair[0]);
        final UnsafeBuffer frame = NativeMemory.allocate(ChannelFrame.HEADER_LENGTH);
        ChannelFrame.encode(frame, 0, ChannelCommand.HANDOFF, false, 7, 0, 0, 1, 0, ChannelFrame.MAX_PAYLOAD_LENGTH + 1, 0L);
        Posix.LIBC.write(pair[1], frame.addressOffset(), ChannelFrame.HEADER_LENGTH);
        assertEquals(0, receiver.receive(collect));
        assertTrue(receiver.isClosed());
        assertEquals(71, receiver.lastErrno(), "EPROTO");
    }

    @Test
    void aDeadPeersQueuedHandOffsAreGivenBackWithTheirPayloads()
    {
        final Channel sender = new Channel(pair[1]);
        Posix.closeQuietly(pair[0]);
        pair[0] = -1;
        final int socket = newSocket();
        assertEquals(Channel.QUEUED, sender.post(ChannelCommand.HANDOFF, 5, 0, 1, socket, payload(10, 5), 0, 10));
        assertEquals(-1, sender.flush(), "the peer is gone");
        sender.drainQueue(collect);
        assertEquals(1, received.size());
        assertEquals(socket, received.get(0).fd(), "the caller gets the fd back");
        assertArrayEquals(bytes(10, 5), received.get(0).payload());
        sender.close();
    }

    private void receiveAll(final Channel receiver, final int expected)
    {
        for (int attempt = 0; attempt < 1000 && received.size() < expected; attempt++)
        {
            receiver.receive(collect);
        }
        assertEquals(expected, received.size());
    }

    private static UnsafeBuffer payload(final int length, final int seed)
    {
        final UnsafeBuffer buffer = NativeMemory.allocate(Math.max(1, length));
        buffer.putBytes(0, bytes(length, seed));
        return buffer;
    }

    private static byte[] bytes(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(seed * 31 + i);
        }
        return bytes;
    }

    private int newSocket()
    {
        return sockets.track(Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 1));
    }
}
