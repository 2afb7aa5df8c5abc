package dev.mpserver.master;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.Supervisor;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.pump.WorkerFrameHandler;
import dev.mpserver.master.routing.HandoffRouter;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Posix;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Each frame a worker sends, to the collaborator whose job it is: READY to the supervisor; LOAD to
 * the worker's slot (placement reads it); HANDOFF, RETURN and SHARD_GONE to routing.
 */
public final class WorkerFrameDispatcher implements WorkerFrameHandler
{
    private static final Logger LOG = LogManager.getLogger(WorkerFrameDispatcher.class);

    private final Supervisor supervisor;
    private final HandoffRouter router;
    private final MasterCounters counters;
    private final int maxClients;
    private final HopLatency toMaster;

    /**
     * @param maxClients a worker's --max-clients: a LOAD below it clears a RETURN's "full"
     * @param toMaster   where each hand-off's trip from its worker's post to our read is timed
     */
    public WorkerFrameDispatcher(
        final Supervisor supervisor, final HandoffRouter router, final MasterCounters counters, final int maxClients,
        final HopLatency toMaster)
    {
        this.supervisor = supervisor;
        this.router = router;
        this.counters = counters;
        this.maxClients = maxClients;
        this.toMaster = toMaster;
    }

    @Override
    public void onFrame(final WorkerSlot from, final ChannelFrame frame, final int fd)
    {
        switch (frame.command())
        {
            case ChannelCommand.READY:
                supervisor.onReady(from);
                break;
            case ChannelCommand.WARM:
                supervisor.onWarm(from);
                break;
            case ChannelCommand.LOAD:
                from.onLoadReport(frame.load(), frame.ack(), maxClients);
                from.shards = frame.shardCount();
                break;
            case ChannelCommand.HANDOFF:
                counters.increment(MasterCounter.HANDOFFS_IN);
                toMaster.record(System.nanoTime() - frame.time());
                if (fd == ChannelFrame.FD_LOST)
                {
                    counters.increment(MasterCounter.FDS_LOST);
                    LOG.warn("a hand-off from worker {} arrived without its fd (master at its fd limit?)", from.pid);
                    break;
                }
                router.route(frame.shardId(), fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
                break;
            case ChannelCommand.RETURN:
                counters.increment(MasterCounter.HANDOFFS_RETURNED);
                if (fd >= 0)
                {
                    router.onReturn(from, frame, fd);
                }
                break;
            case ChannelCommand.SHARD_GONE:
                router.onShardGone(from, frame.shardId(), frame.ack(), frame.load());
                break;
            default:
                LOG.warn("unexpected frame from worker {}: {}", from.pid, frame);
                if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
        }
    }
}
