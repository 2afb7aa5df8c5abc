package dev.mpserver.worker.loop;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLEXCLUSIVE;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_DEL;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import dev.mpserver.worker.client.ClientTable;

/**
 * Takes new connections off the shared listener: level-triggered and EPOLLEXCLUSIVE, so a new
 * connection wakes one worker, and the rest of a burst wakes us again. The listener leaves the
 * epoll set while this worker cannot take more (every slot used, draining, or out of fds for a
 * moment) and comes back when it can.
 */
final class Acceptor
{
    /** What happens to a connection just accepted. */
    @FunctionalInterface
    interface Sink
    {
        void accepted(int fd, long nowNanos);
    }

    /**
     * Accepts per wake-up under a master: the rest of a burst wakes us again; meanwhile clients
     * already accepted get served instead of waiting behind thousands of accepts, and another
     * worker takes a share.
     */
    static final int BATCH_UNDER_MASTER = 64;
    /**
     * Alone, nobody else will take a share, and a connection in the backlog is already connected
     * for its client, whose first frames are waiting: take the whole backlog at once, as the C
     * reference does.
     */
    static final int BATCH_ALONE = 4096;
    private static final long PAUSE_ON_FD_SHORTAGE_NANOS = 100_000_000L;
    private static final long LISTENER_TOKEN = -1L;
    private static final int ERROR_LOG_EVERY = 1000;

    private final LibC libc = Posix.LIBC;
    private final int listenFd;
    private final int epollFd;
    private final ClientTable table;
    private final WorkerCounters counters;
    private final int batch;
    private final Sink sink;
    private final EpollEvents registration = new EpollEvents(1);
    private boolean accepting;
    private boolean stopped;
    /** Set up but taking nothing until {@link #release}: a new worker warming up while others serve. */
    private boolean held;
    private long pausedUntilNanos;

    Acceptor(final int listenFd, final int epollFd, final ClientTable table, final WorkerCounters counters, final int batch, final Sink sink)
    {
        this.listenFd = listenFd;
        this.epollFd = epollFd;
        this.table = table;
        this.counters = counters;
        this.batch = batch;
        this.sink = sink;
    }

    static boolean isToken(final long token)
    {
        return LISTENER_TOKEN == token;
    }

    /**
     * Sets the listener up and accepts from it, or, {@code held}, takes no client until
     * {@link #release}: the shared listener then stays with the workers that are warm (the kernel
     * wakes only those in epoll on it).
     */
    void start(final boolean held)
    {
        Posix.setNonBlocking(listenFd);
        this.held = held;
        if (!held)
        {
            resume();
        }
    }

    /** The listener is readable: accept up to a batch. */
    void onReadable(final long nowNanos)
    {
        if (acceptBatch(nowNanos) > 0 && accepting && batch == BATCH_UNDER_MASTER)
        {
            toBackOfTheQueue();
        }
    }

    /**
     * The kernel wakes the first worker waiting on the listener's queue (EPOLLEXCLUSIVE), and a
     * registration stays where it was added: an idle server gave nearly every connection to the
     * same worker, and since a worker takes a new shard where its client lands, nearly every new
     * shard too (the demo's four RTMP streams went 3 to 1). Registering again after accepting puts
     * this worker at the back, so that the next connection wakes another one that waits. A
     * connection that comes between the two calls finds the listener readable in whichever epoll
     * set has it (level-triggered), and is taken.
     */
    private void toBackOfTheQueue()
    {
        if (0 != libc.epoll_ctl(epollFd, EPOLL_CTL_DEL, listenFd, 0L))
        {
            WorkerLog.LOG.warn("epoll_ctl(DEL, listener) failed: {}", Posix.strerror(Posix.errno()));
            return;
        }
        Posix.checked("epoll_ctl(ADD, listener)", libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, listenFd, registration.address()));
    }

    /** @return connections accepted */
    private int acceptBatch(final long nowNanos)
    {
        int taken = 0;
        for (int accepted = 0; accepting && accepted < batch; accepted++)
        {
            if (table.isFull())
            {
                pause();
                return taken;
            }
            final int fd = libc.accept4(listenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC);
            if (fd < 0)
            {
                final int errno = Posix.errno();
                if (errno == Errno.EAGAIN)
                {
                    return taken;
                }
                if (errno == Errno.EINTR || errno == Errno.ECONNABORTED)
                {
                    continue;
                }
                onAcceptError(errno, nowNanos);
                return taken;
            }
            counters.increment(WorkerCounter.ACCEPTS);
            // Replies are small and pipelined: without this, Nagle holds each one for the client's delayed ACK.
            if (0 != Posix.setTcpNoDelay(fd))
            {
                // Served all the same (with Nagle); a client reset meanwhile is found by its first read.
                WorkerLog.LOG.debug("setsockopt(TCP_NODELAY) on a new client failed: {}", Posix.strerror(Posix.errno()));
            }
            sink.accepted(fd, nowNanos);
            taken++;
        }
        return taken;
    }

    /** Ends {@link #start}'s hold: accepts from now on (unless stopped meanwhile). */
    void release(final long nowNanos)
    {
        held = false;
        resumeIfPossible(nowNanos);
    }

    /** Stops accepting for good (draining, stopping). */
    void stop()
    {
        stopped = true;
        pause();
    }

    /** Accepts again if it paused and can take clients now. */
    void resumeIfPossible(final long nowNanos)
    {
        if (!accepting && !stopped && !held && !table.isFull() && nowNanos >= pausedUntilNanos)
        {
            resume();
        }
    }

    /** When a pause for want of fds ends, or {@link Long#MAX_VALUE}. */
    long nextResumeNanos()
    {
        return accepting || stopped || held || 0 == pausedUntilNanos ? Long.MAX_VALUE : pausedUntilNanos;
    }

    private void onAcceptError(final int errno, final long nowNanos)
    {
        counters.increment(WorkerCounter.ACCEPT_ERRORS);
        if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM)
        {
            // Out of fds: the pending connection stays in the backlog; stop listening for a moment
            // instead of spinning on a listener that stays readable.
            final long errors = counters.get(WorkerCounter.ACCEPT_ERRORS);
            if (errors == 1 || errors % ERROR_LOG_EVERY == 0)
            {
                WorkerLog.LOG.warn("accept4 failed ({} times): {}; pausing accepts for {} ms",
                    errors, Posix.strerror(errno), PAUSE_ON_FD_SHORTAGE_NANOS / 1_000_000L);
            }
            pausedUntilNanos = nowNanos + PAUSE_ON_FD_SHORTAGE_NANOS;
            pause();
        }
    }

    private void pause()
    {
        if (accepting)
        {
            accepting = false;
            if (0 != libc.epoll_ctl(epollFd, EPOLL_CTL_DEL, listenFd, 0L))
            {
                WorkerLog.LOG.warn("epoll_ctl(DEL, listener) failed: {}", Posix.strerror(Posix.errno()));
            }
        }
    }

    private void resume()
    {
        registration.set(0, EPOLLIN | EPOLLEXCLUSIVE, LISTENER_TOKEN);
        Posix.checked("epoll_ctl(ADD, listener)", libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, listenFd, registration.address()));
        accepting = true;
        pausedUntilNanos = 0;
    }
}
