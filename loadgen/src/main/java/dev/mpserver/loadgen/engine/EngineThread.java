package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.ids.ShardIdGenerator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * One event-loop thread: a {@link Selector} over up to {@code slots} connections. Thread {@code i} of
 * {@code T} owns the run's connections {@code i, i+T, i+2T, …}; it starts each at its intended time
 * (paced arrivals) or as soon as a slot is free, drives it through the protocol, and stops by itself
 * when its connections are done, at the deadline, or on request.
 */
final class EngineThread implements Runnable
{
    private static final Logger LOG = LogManager.getLogger(EngineThread.class);

    /** Starts per loop turn, so that a big closed-loop batch does not starve connections already open. */
    private static final int MAX_STARTS_PER_TURN = 256;

    private final int index;
    private final int threads;
    private final LoadConfig config;
    private final RunControl control;
    private final ThreadMetrics metrics;
    private final ShardIdGenerator shardIds;
    private final VerifyLog verifyLog;
    private final InetSocketAddress address;
    private final ArrivalSchedule arrivals;
    private final boolean pacedArrivals;
    private final long ownConnections;
    private final long timeoutNanos;
    private final long timeoutScanNanos;
    private final Connection[] slots;
    private final int[] freeSlots;
    private final TimerHeap timers;
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private Selector selector;
    private final DeferredClose closing = new DeferredClose();
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
        this.address = new InetSocketAddress(config.address(), config.port());
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
        try (Selector s = Selector.open())
        {
            selector = s;
            loop();
        }
        catch (final Throwable t)
        {
            control.engineFailed(t);
            cutOffAll();
        }
        finally
        {
            closing.closeAll();
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
            EngineTiming.selectUntil(selector, onSelected, closing.hasPending() ? now : wake);
            closing.closeDeregistered();
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
            slots[slot].open(selector, address, n, shardIds.shardFor(n), intended);
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

    private void onSelected(final SelectionKey key)
    {
        final Connection c = (Connection)key.attachment();
        if (key.isValid())
        {
            c.onReady(key.readyOps());
        }
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

    /** A finished connection's socket: closed once this thread's selector has deregistered it. */
    void close(final SelectionKey key, final SocketChannel channel)
    {
        closing.add(key, channel);
    }

    void release(final int slot)
    {
        timers.cancel(slot);
        freeSlots[freeCount++] = slot;
    }

    void recordIdentity(final long connection, final int sentShard, final int pid, final int shard, final int clients)
    {
        if (verifyLog != null)
        {
            verifyLog.record(connection, sentShard, pid, shard, clients);
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
