package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.ids.ShardIdGenerator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLET;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CLOEXEC;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddr;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One event-loop thread: an epoll set over up to {@code slots} connections, each registered once,
 * edge-triggered for both directions, with its slot as the token. Thread {@code i} of
 * {@code T} owns the run's connections {@code i, i+T, i+2T, …}; it starts each at its intended time
 * (paced arrivals) or as soon as a slot is free, drives it through the protocol, and stops by itself
 * when its connections are done, at the deadline, or on request.
 */
final class EngineThread implements Runnable
{
    private static final Logger LOG = LogManager.getLogger(EngineThread.class);

    /** Starts per loop turn, so that a big closed-loop batch does not starve connections already open. */
    private static final int MAX_STARTS_PER_TURN = 256;
    private static final int MAX_EVENTS = 1024;
    private static final int CONNECTION_EVENTS = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

    private final int index;
    private final int threads;
    private final LoadConfig config;
    private final RunControl control;
    private final ThreadMetrics metrics;
    private final ShardIdGenerator shardIds;
    private final VerifyLog verifyLog;
    private final SockAddr target;
    private final ArrivalSchedule arrivals;
    private final boolean pacedArrivals;
    private final long ownConnections;
    private final long timeoutNanos;
    private final long timeoutScanNanos;
    private final Connection[] slots;
    private final int[] freeSlots;
    private final TimerHeap timers;
    private final EpollEvents events = new EpollEvents(MAX_EVENTS);
    private final EpollEvents registration = new EpollEvents(1);
    /** getsockopt's value and length, in native memory allocated once. */
    private final UnsafeBuffer scratch = NativeMemory.allocate(2 * Integer.BYTES);
    private int epollFd = -1;
    private int freeCount;
    private long nextOwn;
    private long nextTimeoutScan;

    EngineThread(
        final int index,
        final int threads,
        final LoadConfig config,
        final RunControl control,
        final ThreadMetrics metrics,
        final ShardIdGenerator shardIds,
        final VerifyLog verifyLog)
    {
        this.index = index;
        this.threads = threads;
        this.config = config;
        this.control = control;
        this.metrics = metrics;
        this.shardIds = shardIds;
        this.verifyLog = verifyLog;
        this.target = new SockAddr(new InetSocketAddress(config.address(), config.port()));
        this.arrivals = config.arrivals();
        this.pacedArrivals = arrivals.isPaced();
        this.ownConnections = RunControl.ownShare(config.conns(), index, threads);
        this.timeoutNanos = config.timeoutNanos();
        this.timeoutScanNanos = EngineTiming.timeoutScanNanos(timeoutNanos);

        final int slotCount = (int)Math.max(1, Math.min(ownConnections, RunControl.ownShare(config.concurrency(), index, threads)));
        final int inCapacity = ReplyInput.CAPACITY;
        final int outCapacity = RequestOutput.capacity(config.pipeline());
        final ByteBuffer memory = ByteBuffer.allocateDirect(slotCount * (inCapacity + outCapacity));
        slots = new Connection[slotCount];
        freeSlots = new int[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            final int base = i * (inCapacity + outCapacity);
            final ByteBuffer in = memory.slice(base, inCapacity);
            final ByteBuffer out = memory.slice(base + inCapacity, outCapacity);
            slots[i] = new Connection(this, metrics, i, in, out, config.pipeline(), config.msgs(),
                config.msgRate(), config.verify(), config.holdNanos());
            freeSlots[i] = slotCount - 1 - i;
        }
        freeCount = slotCount;
        timers = new TimerHeap(slotCount);
    }

    /** How many slots this thread has (its part of --concurrency). */
    int slotCount()
    {
        return slots.length;
    }

    @Override
    public void run()
    {
        try
        {
            epollFd = Posix.checked("epoll_create1", Posix.LIBC.epoll_create1(EPOLL_CLOEXEC));
            loop();
        }
        catch (final Throwable t)
        {
            control.engineFailed(t);
            cutOffAll();
        }
        finally
        {
            Posix.closeQuietly(epollFd);
            control.engineDone();
        }
    }

    private void loop() throws IOException
    {
        final long deadline = control.deadline();
        nextTimeoutScan = System.nanoTime() + timeoutScanNanos;
        while (true)
        {
            long now = System.nanoTime();
            if (now - deadline >= 0 || control.stopRequested())
            {
                cutOffAll();
                return;
            }
            final long nextArrival = startDue(now);
            now = System.nanoTime();
            runTimers(now);
            if (now - nextTimeoutScan >= 0)
            {
                scanTimeouts(now);
                nextTimeoutScan = now + timeoutScanNanos;
            }
            if (nextOwn >= ownConnections && freeCount == slots.length)
            {
                return;
            }

            long wake = Math.min(deadline, nextTimeoutScan);
            wake = Math.min(wake, timers.peekDue());
            wake = Math.min(wake, nextArrival);
            waitUntil(wake);
        }
    }

    /** Start the connections that are due and have a slot. @return when the next one is due, or never. */
    private long startDue(final long now)
    {
        int started = 0;
        while (nextOwn < ownConnections && freeCount > 0)
        {
            if (started == MAX_STARTS_PER_TURN)
            {
                return now;
            }
            final long n = index + nextOwn * threads;
            final long intended = control.startNanos() + arrivals.intendedStartNanos(n);
            if (intended - now > 0)
            {
                return intended;
            }
            final int slot = freeSlots[--freeCount];
            nextOwn++;
            started++;
            slots[slot].open(n, shardIds.shardFor(n), intended);
            metrics.set(Counters.LAST_START_NANOS, System.nanoTime() - control.startNanos());
        }
        return TimerHeap.NONE;
    }

    private void runTimers(final long now)
    {
        while (timers.size() > 0 && timers.peekDue() - now <= 0)
        {
            final int slot = timers.peekSlot();
            timers.cancel(slot);
            slots[slot].onTimer(now);
        }
    }

    private void scanTimeouts(final long now)
    {
        for (final Connection c : slots)
        {
            if (c.state() != Connection.FREE && c.isAwaitingServer() && now - c.lastProgress() > timeoutNanos)
            {
                c.timedOut();
            }
        }
    }

    private void cutOffAll()
    {
        for (final Connection c : slots)
        {
            if (c.state() != Connection.FREE)
            {
                c.cutOff();
            }
        }
    }

    /** Handles the sockets' events until {@code wakeNanos} (or at once, if it is that close). */
    private void waitUntil(final long wakeNanos) throws IOException
    {
        final int ready = Posix.LIBC.epoll_wait(epollFd, events.address(), MAX_EVENTS, EngineTiming.waitMillis(wakeNanos));
        if (ready < 0)
        {
            final int errno = Posix.errno();
            if (errno == Errno.EINTR)
            {
                return;
            }
            throw new IOException("epoll_wait: " + Posix.strerror(errno));
        }
        for (int i = 0; i < ready; i++)
        {
            // A socket closed earlier left the set with its pending events: a token is never stale.
            slots[(int)events.data(i)].onReady(events.events(i));
        }
    }

    /**
     * A new non-blocking socket for {@code slot}, connecting to the target and on this thread's
     * epoll set.
     *
     * @return its fd, or {@code -errno}
     */
    int startConnect(final int slot)
    {
        final int fd = Posix.startConnect(target);
        if (fd < 0)
        {
            return fd;
        }
        registration.set(0, CONNECTION_EVENTS, slot);
        if (0 != Posix.LIBC.epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, registration.address()))
        {
            final int errno = Posix.errno();
            Posix.closeQuietly(fd);
            return -errno;
        }
        return fd;
    }

    /** How the connect on {@code fd} ended, or the error pending on it: 0 or an errno. */
    int socketError(final int fd)
    {
        return Posix.socketError(fd, scratch);
    }

    boolean pacedArrivals()
    {
        return pacedArrivals;
    }

    /** Time zero of the run (System.nanoTime()), shared by every engine thread. */
    long runStartNanos()
    {
        return control.startNanos();
    }

    void schedule(final int slot, final long dueNanos)
    {
        timers.schedule(slot, dueNanos);
    }

    void release(final int slot)
    {
        timers.cancel(slot);
        freeSlots[freeCount++] = slot;
    }

    /**
     * @param servedNanos     when its first reply was read (a client connected earlier may have
     *                        waited in a backlog or a proxy's queue, in no worker yet)
     * @param identifiedNanos when its 'I' reply was read
     */
    void recordIdentity(
        final long connection, final int sentShard, final int pid, final int shard, final int clients, final long servedNanos,
        final long identifiedNanos)
    {
        if (verifyLog != null)
        {
            verifyLog.record(connection, sentShard, pid, shard, clients, servedNanos, identifiedNanos);
        }
    }

    void logFailure(final long connection, final int shard, final Phase phase, final FailureKind kind)
    {
        if (LOG.isDebugEnabled())
        {
            LOG.debug("connection {} (shard {}) failed in {}: {}", connection, shard, phase.label(), kind.label());
        }
    }

    @Override
    public String toString()
    {
        return "loadgen-" + config.command() + "-" + index;
    }
}
