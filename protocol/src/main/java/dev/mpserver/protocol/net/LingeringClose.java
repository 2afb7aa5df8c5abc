package dev.mpserver.protocol.net;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLET;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_DEL;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_MOD;

import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import org.apache.logging.log4j.LogManager;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Closes refused clients so that they can read why (nginx's lingering close). A bare
 * {@code close()} of a socket whose peer sent bytes we never read makes the kernel answer with a
 * RST, which can overtake our last frame ({@code 'E'} + reason) and makes the client see only
 * "connection reset". So instead: the caller writes its last frame, this class half-closes the
 * socket (FIN after the frame), then reads and discards whatever the client still sends until it
 * closes its side, sends more than {@link #maxBytes}, or {@link #timeoutNanos} passes; only then is
 * the fd closed, with nothing unread.
 *
 * <p>Nothing blocks. Under an epoll loop ({@code epollFd >= 0}) each lingering socket is in the
 * set with a token from {@link #tokenOf}; without one (the master sleeps in sigsuspend) the owner
 * calls {@link #poll} now and then. At most {@link #capacity} sockets linger at once: beyond that a
 * refused client is closed at once (counted), so a flood of refusals cannot eat the fd budget.
 *
 * <p>Sockets linger in start order, which is also deadline order (one timeout for all), kept in an
 * intrusive list threaded through primitive arrays: no allocation after construction.
 */
public final class LingeringClose
{
    /** Tokens at or below this are lingering sockets; -1 and -2 stay free for a loop's own fds. */
    private static final long TOKEN_BASE = -16L;
    private static final int NONE = -1;
    private static final int DISCARD_BUFFER = 16 * 1024;
    private static final int EVENTS = EPOLLIN | EPOLLRDHUP | EPOLLET;

    private final LibC libc = Posix.LIBC;
    private final int capacity;
    private final long timeoutNanos;
    private final int maxBytes;
    private final int epollFd;
    private final EpollEvents registration = new EpollEvents(1);
    private final UnsafeBuffer discard = NativeMemory.allocate(DISCARD_BUFFER);

    private final int[] fd;
    private final long[] deadlineNanos;
    private final int[] discarded;
    private final int[] prev;
    private final int[] next;
    private final int[] freeSlots;
    private int freeCount;
    private int head = NONE;
    private int tail = NONE;

    private long started;
    private long timedOut;
    private long closedAtCapacity;

    /**
     * @param capacity     sockets lingering at once at most
     * @param timeoutNanos how long a socket may linger
     * @param maxBytes     bytes discarded per socket at most
     * @param epollFd      the owner's epoll set, or -1 when the owner calls {@link #poll}
     */
    public LingeringClose(final int capacity, final long timeoutNanos, final int maxBytes, final int epollFd)
    {
        this.capacity = capacity;
        this.timeoutNanos = timeoutNanos;
        this.maxBytes = maxBytes;
        this.epollFd = epollFd;
        this.fd = new int[capacity];
        this.deadlineNanos = new long[capacity];
        this.discarded = new int[capacity];
        this.prev = new int[capacity];
        this.next = new int[capacity];
        this.freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
            fd[i] = -1;
        }
        this.freeCount = capacity;
    }

    /** True if an epoll token belongs to a lingering socket (see {@link #onReadable}). */
    public static boolean isToken(final long token)
    {
        return token <= TOKEN_BASE;
    }

    /**
     * Takes ownership of {@code socketFd}, whose last frame the caller has just written: half-closes
     * it and discards input until the client is done, the bound or the timeout.
     *
     * <p>If the fd is in the owner's epoll set already, its registration is re-pointed here;
     * otherwise it is added.
     */
    public void start(final int socketFd, final long nowNanos)
    {
        started++;
        if (0 != libc.shutdown(socketFd, Posix.SHUT_WR))
        {
            // ENOTCONN: the client is gone already; there is nobody to linger for.
            closeFd(socketFd);
            return;
        }
        if (0 == freeCount)
        {
            closedAtCapacity++;
            closeFd(socketFd);
            return;
        }
        final int slot = freeSlots[--freeCount];
        fd[slot] = socketFd;
        deadlineNanos[slot] = nowNanos + timeoutNanos;
        discarded[slot] = 0;
        append(slot);
        if (epollFd >= 0)
        {
            registration.set(0, EVENTS, tokenOf(slot));
            if (0 != libc.epoll_ctl(epollFd, EPOLL_CTL_MOD, socketFd, registration.address()) &&
                (Posix.errno() != Errno.ENOENT || 0 != libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, socketFd, registration.address())))
            {
                // Cannot be watched (ENOMEM, ENOSPC): give up on lingering rather than leak it.
                release(slot);
                return;
            }
        }
        drain(slot);
    }

    /** An epoll event for {@code token} ({@link #isToken}): discards what arrived, closes when done. */
    public void onReadable(final long token)
    {
        final int slot = (int)(TOKEN_BASE - token);
        if (slot >= 0 && slot < capacity && fd[slot] >= 0)
        {
            drain(slot);
        }
    }

    /** For owners without epoll: drains every lingering socket once. */
    public void poll()
    {
        int slot = head;
        while (slot != NONE)
        {
            final int following = next[slot];
            drain(slot);
            slot = following;
        }
    }

    /** Closes the sockets whose time is up. */
    public void expire(final long nowNanos)
    {
        while (head != NONE && nowNanos - deadlineNanos[head] >= 0)
        {
            final int slot = head;
            drain(slot);
            if (fd[slot] >= 0)
            {
                timedOut++;
                release(slot);
            }
        }
    }

    /** When the next socket's time is up, or {@link Long#MAX_VALUE} if none lingers. */
    public long nextDeadlineNanos()
    {
        return head == NONE ? Long.MAX_VALUE : deadlineNanos[head];
    }

    public int size()
    {
        return capacity - freeCount;
    }

    public boolean isEmpty()
    {
        return head == NONE;
    }

    /** Closes every lingering socket now (the process is stopping). */
    public void closeAll()
    {
        while (head != NONE)
        {
            final int slot = head;
            drain(slot);
            if (fd[slot] >= 0)
            {
                release(slot);
            }
        }
    }

    public long started()
    {
        return started;
    }

    public long timedOut()
    {
        return timedOut;
    }

    public long closedAtCapacity()
    {
        return closedAtCapacity;
    }

    private static long tokenOf(final int slot)
    {
        return TOKEN_BASE - slot;
    }

    /** Reads and drops what the client sent; closes on its EOF, an error, or too many bytes. */
    private void drain(final int slot)
    {
        final int socketFd = fd[slot];
        while (true)
        {
            final long read = libc.recv(socketFd, discard.addressOffset(), DISCARD_BUFFER, MsgHdr.MSG_DONTWAIT);
            if (read > 0)
            {
                discarded[slot] += (int)read;
                if (discarded[slot] > maxBytes)
                {
                    release(slot);
                    return;
                }
                continue;
            }
            if (read < 0)
            {
                final int errno = Posix.errno();
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                if (errno == Errno.EAGAIN)
                {
                    return;
                }
            }
            release(slot); // EOF, or the client reset: either way it is done with us
            return;
        }
    }

    private void append(final int slot)
    {
        prev[slot] = tail;
        next[slot] = NONE;
        if (tail == NONE)
        {
            head = slot;
        }
        else
        {
            next[tail] = slot;
        }
        tail = slot;
    }

    private void release(final int slot)
    {
        final int before = prev[slot];
        final int after = next[slot];
        if (before == NONE)
        {
            head = after;
        }
        else
        {
            next[before] = after;
        }
        if (after == NONE)
        {
            tail = before;
        }
        else
        {
            prev[after] = before;
        }
        prev[slot] = NONE;
        next[slot] = NONE;
        closeFd(fd[slot]);
        fd[slot] = -1;
        freeSlots[freeCount++] = slot;
    }

    /**
     * Out of the epoll set first: a copy of the fd in another process would keep the registration
     * alive. ENOENT is expected (a socket refused before it was ever registered); anything else
     * says the set and this class disagree, which is logged (the logger only then: a worker sets up
     * logging after READY).
     */
    private void closeFd(final int socketFd)
    {
        if (epollFd >= 0 && 0 != libc.epoll_ctl(epollFd, EPOLL_CTL_DEL, socketFd, 0L) && Posix.errno() != Errno.ENOENT)
        {
            LogManager.getLogger(LingeringClose.class).warn("epoll_ctl(DEL) of lingering fd {} failed: {}", socketFd,
                Posix.strerror(Posix.errno()));
        }
        Posix.closeQuietly(socketFd);
    }
}
