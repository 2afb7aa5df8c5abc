package dev.mpserver.protocol.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real TCP connections on 127.0.0.1: a server socket that sent its last frame while the client's
 * bytes sit unread. A bare close() makes the kernel reset the connection; a lingering close lets
 * the client read the frame and an orderly end of stream.
 */
class LingeringCloseTest
{
    private static final long SECOND = 1_000_000_000L;
    private static final byte[] LAST_FRAME = "E\2server full\0".getBytes(StandardCharsets.US_ASCII);

    private int listenFd;
    private final List<Socket> clients = new ArrayList<>();
    private final UnsafeBuffer frame = NativeMemory.allocate(LAST_FRAME.length);
    /** Where {@link #awaitUnread} peeks: room for the largest peek. */
    private final UnsafeBuffer peek = NativeMemory.allocate(1024);

    @BeforeEach
    void listen()
    {
        listenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 64);
        frame.putBytes(0, LAST_FRAME);
    }

    @AfterEach
    void close() throws IOException
    {
        for (final Socket client : clients)
        {
            client.close();
        }
        Posix.closeQuietly(listenFd);
    }

    @Test
    void aBareCloseWithUnreadInputResetsTheClient() throws Exception
    {
        final Socket client = connect();
        final int fd = acceptWithUnreadInput(client);
        sendLastFrame(fd);
        Posix.close(fd);
        assertThrows(SocketException.class, () -> readAll(client), "the kernel answers unread input with RST");
    }

    @Test
    void theClientReadsTheLastFrameAndAnOrderlyEndWhenItClosesFirst() throws Exception
    {
        final LingeringClose lingering = new LingeringClose(4, SECOND, 1 << 20, -1);
        final Socket client = connect();
        final int fd = acceptWithUnreadInput(client);
        sendLastFrame(fd);
        lingering.start(fd, System.nanoTime());
        assertEquals(1, lingering.size(), "lingers: the client has not closed yet");

        assertArrayEquals(LAST_FRAME, readAll(client), "the frame, then EOF (our FIN)");
        client.getOutputStream().write(new byte[100]); // still talking after our FIN: read and dropped
        client.shutdownOutput();
        awaitEmpty(lingering);
        assertEquals(0, lingering.timedOut(), "let go at the client's close, long before the timeout");
    }

    @Test
    void aClientThatNeverReadsNorClosesIsDroppedAtTheTimeoutAndStillReadsItsFrame() throws Exception
    {
        final LingeringClose lingering = new LingeringClose(4, SECOND / 5, 1 << 20, -1);
        final Socket client = connect();
        final int fd = acceptWithUnreadInput(client);
        sendLastFrame(fd);
        final long start = System.nanoTime();
        lingering.start(fd, start);
        lingering.expire(start + SECOND / 10);
        assertEquals(1, lingering.size(), "not yet");
        lingering.expire(start + SECOND / 5);
        assertEquals(0, lingering.size());
        assertEquals(1, lingering.timedOut());
        assertArrayEquals(LAST_FRAME, readAll(client), "input was drained before the close: no reset");
    }

    @Test
    void aClientThatSendsPastTheByteBoundIsCutOff() throws Exception
    {
        final LingeringClose lingering = new LingeringClose(4, 10 * SECOND, 64 * 1024, -1);
        final Socket client = connect();
        final int fd = acceptWithUnreadInput(client);
        sendLastFrame(fd);
        lingering.start(fd, System.nanoTime());
        final byte[] junk = new byte[16 * 1024];
        for (int i = 0; i < 8 && lingering.size() > 0; i++)
        {
            client.getOutputStream().write(junk);
            awaitUnread(fd, 1);
            lingering.poll();
        }
        assertEquals(0, lingering.size(), "let go past the byte bound");
        assertEquals(0, lingering.timedOut(), "long before the timeout");
    }

    @Test
    void beyondCapacityARefusedClientIsClosedAtOnceAndCounted() throws Exception
    {
        final LingeringClose lingering = new LingeringClose(2, SECOND, 1 << 20, -1);
        for (int i = 0; i < 3; i++)
        {
            final int fd = acceptWithUnreadInput(connect());
            sendLastFrame(fd);
            lingering.start(fd, System.nanoTime());
        }
        assertEquals(2, lingering.size());
        assertEquals(1, lingering.closedAtCapacity());
        lingering.closeAll();
        assertEquals(0, lingering.size());
    }

    @Test
    void underEpollTheOwnerIsWokenByTheClientsClose() throws Exception
    {
        final int epollFd = Posix.checked("epoll_create1", Posix.LIBC.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        final EpollEvents events = new EpollEvents(8);
        try
        {
            final LingeringClose lingering = new LingeringClose(4, 10 * SECOND, 1 << 20, epollFd);
            final Socket client = connect();
            final int fd = acceptWithUnreadInput(client);
            sendLastFrame(fd);
            lingering.start(fd, System.nanoTime());
            assertArrayEquals(LAST_FRAME, readAll(client));
            client.close();
            final int ready = Posix.LIBC.epoll_wait(epollFd, events.address(), 8, 5_000);
            assertEquals(1, ready, "the lingering socket's event");
            assertTrue(LingeringClose.isToken(events.data(0)));
            lingering.onReadable(events.data(0));
            assertEquals(0, lingering.size(), "let go at the client's close");
            assertEquals(0, lingering.timedOut());
        }
        finally
        {
            Posix.closeQuietly(epollFd);
        }
    }

    private Socket connect() throws IOException
    {
        final Socket client = new Socket(InetAddress.getLoopbackAddress(), Posix.localPort(listenFd));
        client.setSoTimeout(5_000);
        clients.add(client);
        return client;
    }

    /** The server end of {@code client}'s connection, after the client sent bytes nobody reads. */
    private int acceptWithUnreadInput(final Socket client) throws IOException, InterruptedException
    {
        final byte[] input = "C\1\0\0\0Mclient, ping message!\0".getBytes(StandardCharsets.US_ASCII);
        client.getOutputStream().write(input);
        final int fd = Posix.checked("accept4", Posix.LIBC.accept4(listenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC));
        awaitUnread(fd, input.length);
        return fd;
    }

    /** Until {@code fd}'s receive queue holds {@code bytes} (peeked, not read). */
    private void awaitUnread(final int fd, final int bytes) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5 * SECOND;
        while (Posix.LIBC.recv(fd, peek.addressOffset(), bytes, MsgHdr.MSG_PEEK | MsgHdr.MSG_DONTWAIT) < bytes)
        {
            assertTrue(System.nanoTime() - deadline < 0, "the client's " + bytes + " bytes reach the server's socket");
            Thread.sleep(1);
        }
    }

    private void sendLastFrame(final int fd)
    {
        assertEquals(LAST_FRAME.length, Posix.LIBC.send(fd, frame.addressOffset(), LAST_FRAME.length, MsgHdr.MSG_NOSIGNAL));
    }

    private static byte[] readAll(final Socket client) throws IOException
    {
        final InputStream in = client.getInputStream();
        return in.readAllBytes();
    }

    private static void awaitEmpty(final LingeringClose lingering) throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5 * SECOND;
        while (lingering.size() > 0 && System.nanoTime() < deadline)
        {
            lingering.poll();
            Thread.sleep(10);
        }
        assertEquals(0, lingering.size(), "closed once the client closed");
    }
}
