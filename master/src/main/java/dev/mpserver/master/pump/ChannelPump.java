package dev.mpserver.master.pump;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.WorkerRouting;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.counters.MasterCounter;
import org.agrona.concurrent.Agent;

/**
 * Moves frames between the master and its workers: reads the channels that have something to
 * read, hands each frame to a {@link WorkerFrameHandler}, and at the end of the cycle's pass sends
 * what the pass queued for each worker. An Agrona {@link Agent}: {@link #doWork} returns the frames
 * it read, which is what its idle strategy ({@link SignalOrPollIdleStrategy}) decides on.
 *
 * <p>Which channels to read is each slot's {@link WorkerSlot#readPending}: set by the channel's RT
 * signal (its {@code si_fd}), by a spawn, and for every channel by a rescan (the RT queue
 * overflowed: signals were lost) or by the idle strategy while it polls. A channel is read until
 * EAGAIN, but at most {@link #RECEIVE_BUDGET} frames a pass, so that a worker that writes as fast
 * as we read cannot hold the loop; one that spent it stays marked, and the pass reports a
 * {@link #backlogged backlog} so that the loop does not sleep before reading it again (no new
 * signal would say that data remains).
 */
public final class ChannelPump implements Agent, ChannelFrameHandler
{
    /** Frames read from one channel per pass at most. */
    public static final int RECEIVE_BUDGET = 1024;

    private final WorkerTable table;
    private final WorkerFrameHandler handler;
    private final WorkerRouting routing;
    private final MasterCounters counters;
    private WorkerSlot current;
    private boolean backlogged;

    public ChannelPump(
        final WorkerTable table, final WorkerFrameHandler handler, final WorkerRouting routing, final MasterCounters counters)
    {
        this.table = table;
        this.handler = handler;
        this.routing = routing;
        this.counters = counters;
    }

    /** An RT signal named channel {@code fd}: read it this pass. A closed channel's late signal is ignored. */
    public void onChannelSignal(final int fd)
    {
        final WorkerSlot slot = table.slotOfChannel(fd);
        if (null != slot)
        {
            slot.readPending = true;
        }
    }

    /** Read every channel this pass: after lost signals, or while polling. */
    public void readEveryChannel()
    {
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            slot.readPending = null != slot.channel;
        }
    }

    /** @return frames read this pass */
    @Override
    public int doWork()
    {
        backlogged = false;
        int frames = 0;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.readPending)
            {
                slot.readPending = false;
                frames += read(slot);
            }
        }
        return frames;
    }

    /** True if a channel spent its receive budget in the last pass: it may hold more, and no signal will say so. */
    public boolean backlogged()
    {
        return backlogged;
    }

    /**
     * Sends what this pass queued for each worker. A channel that cannot take it all keeps the rest
     * and is flushed again on its POLL_OUT signal, on the next pass, or at the latest on the tick.
     */
    public void flush()
    {
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            final Channel channel = slot.channel;
            if (null == channel)
            {
                continue;
            }
            if (channel.hasQueued())
            {
                final long waitedBefore = channel.framesQueued();
                final long stalledBefore = channel.fdLimitStalls();
                channel.flush();
                counters.add(MasterCounter.HANDOFFS_QUEUED, channel.framesQueued() - waitedBefore);
                counters.add(MasterCounter.FD_LIMIT_STALLS, channel.fdLimitStalls() - stalledBefore);
                if (channel.isClosed() && slot.state != WorkerSlot.GONE)
                {
                    routing.onWorkerLost(slot, "channel send failed");
                }
            }
            counters.add(MasterCounter.FRAMES_OUT, slot.takeFramesOut());
        }
    }

    @Override
    public void onFrame(final ChannelFrame frame, final int fd)
    {
        handler.onFrame(current, frame, fd);
    }

    @Override
    public String roleName()
    {
        return "channel-pump";
    }

    private int read(final WorkerSlot slot)
    {
        final Channel channel = slot.channel;
        if (null == channel)
        {
            return 0;
        }
        channel.flush(); // a POLL_OUT edge rides on the same signal: what waited goes first
        current = slot;
        final int frames = channel.receive(this, RECEIVE_BUDGET);
        if (frames >= RECEIVE_BUDGET)
        {
            slot.readPending = true;
            backlogged = true;
        }
        counters.add(MasterCounter.FRAMES_IN, frames);
        if (channel.isClosed() && slot.state != WorkerSlot.GONE)
        {
            routing.onWorkerLost(slot, "channel closed");
        }
        return frames;
    }
}
