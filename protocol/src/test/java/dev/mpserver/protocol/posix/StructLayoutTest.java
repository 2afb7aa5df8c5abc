package dev.mpserver.protocol.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Each layout checked against what the kernel actually writes or reads. */
class StructLayoutTest
{
    @Test
    void epollEventDataRoundTripsThroughTheKernelPacked()
    {
        final int epoll = Posix.checked("epoll_create1", Posix.LIBC.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        final int[] pair = Posix.socketPair();
        try
        {
            final EpollEvents one = new EpollEvents(1).set(0, EpollEvents.EPOLLIN, 0x1122334455667788L);
            Posix.checked("epoll_ctl", Posix.LIBC.epoll_ctl(epoll, EpollEvents.EPOLL_CTL_ADD, pair[0], one.address()));
            final UnsafeBuffer b = NativeMemory.allocate(1);
            Posix.checked("write", Posix.LIBC.write(pair[1], b.addressOffset(), 1));
            final EpollEvents ready = new EpollEvents(4);
            assertEquals(1, Posix.LIBC.epoll_wait(epoll, ready.address(), 4, 1000));
            assertEquals(0x1122334455667788L, ready.data(0));
            assertEquals(EpollEvents.EPOLLIN, ready.events(0) & EpollEvents.EPOLLIN);
            assertEquals(12, EpollEvents.SIZE);
        }
        finally
        {
            Posix.close(epoll);
            Posix.close(pair[0]);
            Posix.close(pair[1]);
        }
    }

    @Test
    void listenerOnEphemeralLoopbackPortAcceptsAndStatSeesTheSameSocketAsProc() throws Exception
    {
        final int listener = Posix.listenTcp(SockAddrIn.LOOPBACK, 0, 16);
        try (Socket client = new Socket())
        {
            final int port = Posix.localPort(listener);
            assertTrue(port > 0);
            client.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            final SockAddrIn peer = new SockAddrIn();
            int accepted = -1;
            for (int i = 0; i < 200 && accepted < 0; i++)
            {
                accepted = Posix.LIBC.accept4(listener, peer.address(), peer.lengthAddress(), Posix.SOCK_CLOEXEC);
                if (accepted < 0)
                {
                    assertEquals(Errno.EAGAIN, Posix.errno());
                    Thread.sleep(5);
                }
            }
            assertTrue(accepted >= 0, "accepted");
            assertEquals(SockAddrIn.LOOPBACK, peer.address4());
            assertEquals(client.getLocalPort(), peer.port());
            final FileStat stat = new FileStat().of(accepted);
            assertTrue(stat.isSocket());
            final String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + accepted)).toString();
            assertEquals("socket:[" + stat.inode() + "]", link);
            assertEquals(stat.inode(), Posix.socketInode(link));
            assertEquals(-1, Posix.socketInode("/dev/null"), "no socket");
            assertTrue(Posix.openFdTargets("self").contains(link), "the accepted socket among this process's fd targets");
            Posix.close(accepted);
            assertFalse(Posix.openFdTargets("self").contains(link), "gone once closed");
        }
        finally
        {
            Posix.close(listener);
        }
    }

    @Test
    void aNonBlockingConnectReachesAnIpv4ListenerThroughSockAddr() throws Exception
    {
        connectsThroughSockAddr("127.0.0.1", SockAddrIn.AF_INET);
    }

    @Test
    void aNonBlockingConnectReachesAnIpv6ListenerThroughSockAddr() throws Exception
    {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine");
        connectsThroughSockAddr("::1", SockAddr.AF_INET6);
    }

    private static boolean ipv6Loopback()
    {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1")))
        {
            return probe.getLocalPort() > 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void connectsThroughSockAddr(final String host, final int family) throws Exception
    {
        try (ServerSocket server = new ServerSocket(0, 16, InetAddress.getByName(host)))
        {
            server.setSoTimeout(5000);
            final SockAddr to = new SockAddr(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()));
            assertEquals(family, to.family());
            final int fd = Posix.startConnect(to);
            assertTrue(fd >= 0, host + ": " + (fd < 0 ? Posix.strerror(-fd) : ""));
            try (Socket accepted = server.accept())
            {
                assertEquals(0, Posix.socketError(fd, NativeMemory.allocate(2 * Integer.BYTES)), host);
                final UnsafeBuffer b = NativeMemory.allocate(1);
                b.putByte(0, (byte)'x');
                assertEquals(1, Posix.LIBC.write(fd, b.addressOffset(), 1), host);
                assertEquals('x', accepted.getInputStream().read(), host + ": the byte went to the listener's client");
            }
            finally
            {
                Posix.close(fd);
            }
        }
    }

    @Test
    void aRefusedNonBlockingConnectEndsWithEconnrefusedInSoError() throws Exception
    {
        final int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")))
        {
            port = gone.getLocalPort();
        }
        final int fd = Posix.startConnect(new SockAddr(new InetSocketAddress("127.0.0.1", port)));
        if (fd < 0)
        {
            assertEquals(Errno.ECONNREFUSED, -fd);
            return;
        }
        try
        {
            final UnsafeBuffer scratch = NativeMemory.allocate(2 * Integer.BYTES);
            int error = 0;
            for (int i = 0; i < 200 && error == 0; i++)
            {
                error = Posix.socketError(fd, scratch);
                if (error == 0)
                {
                    Thread.sleep(5);
                }
            }
            assertEquals(Errno.ECONNREFUSED, error);
        }
        finally
        {
            Posix.close(fd);
        }
    }

    @Test
    void portInUseIsAnExceptionNamingBind()
    {
        final int listener = Posix.listenTcp(SockAddrIn.LOOPBACK, 0, 16);
        try
        {
            // SO_REUSEADDR does not allow two listeners on one port.
            final PosixException ex = assertThrows(
                PosixException.class, () -> Posix.listenTcp(SockAddrIn.LOOPBACK, Posix.localPort(listener), 16));
            assertEquals("bind", ex.call());
            assertEquals(Errno.EADDRINUSE, ex.errno());
        }
        finally
        {
            Posix.close(listener);
        }
    }

    @Test
    void rlimitReadsTheLimitsTheKernelReports() throws Exception
    {
        final RLimit nofile = Posix.getRlimit(RLimit.RLIMIT_NOFILE);
        final String limits = Files.readString(Path.of("/proc/self/limits"));
        final String line = limits.lines().filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        final String[] parts = line.trim().split("\\s+");
        assertEquals(Long.parseLong(parts[3]), nofile.current());
        assertEquals(Long.parseLong(parts[4]), nofile.maximum());
    }

    @Test
    void closingABadFdNamesTheCall()
    {
        final PosixException ex = assertThrows(PosixException.class, () -> Posix.close(1_000_000));
        assertEquals("close", ex.call());
        assertEquals(Errno.EBADF, ex.errno());
    }
}
