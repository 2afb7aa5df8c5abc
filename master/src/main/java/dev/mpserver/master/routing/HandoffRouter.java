package dev.mpserver.master.routing;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.PendingHandoffs;
import dev.mpserver.master.process.ShutdownSequence;
import dev.mpserver.master.process.WorkerRouting;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.wire.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Where every client the master holds goes: to its shard's owner, to a worker {@link Placement}
 * picks for a shard that has none, back out after a RETURN, elsewhere when its worker is lost, or
 * away with an {@code 'E'} ({@link ClientRefusal}). A client's session-state payload travels with
 * it unopened. Each client fd has one place that closes it: the channel it was posted to, the
 * pending list of a STARTING worker, or the refusal.
 *
 * <p>Owners are entries of the {@link dev.mpserver.protocol.shard.SharedShardTable}, which workers
 * change too (a worker takes a new or empty shard for a client that landed on it, and then no
 * master is involved); every step here is a compare-and-set on the entry as read, and a lost race
 * is decided again on the entry as it is then.
 *
 * <pre>
 *   route(shard, fd, payload)
 *     ├─ the server is stopping ─────────────────────────────▶ E 5
 *     ├─ its owner is live: EMPTY entry made ACTIVE again ───▶ forward
 *     ├─ its owner is lost: entry freed; route again
 *     └─ no entry: Placement ─┬─ a worker: entry made ───────▶ forward
 *                             ├─ none ───────────────────────▶ E 2 (server full)
 *                             └─ its set full of shards with clients ▶ E 3
 *   forward
 *     ├─ READY: posted on its channel (sent by the pump's flush at the end of the pass)
 *     ├─ STARTING: waits in its pending list for READY; list full ▶ E 3
 *     ├─ its channel's queue full ───────────────────────────▶ E 3 (shard busy)
 *     └─ its channel closed: the worker is lost; route again
 *   RETURN from a READY or STARTING worker (full)
 *     ├─ other clients of the shard there ───────────────────▶ E 2 (shard worker full)
 *     └─ none: SHARD_MOVED to it, the shard has no owner; route
 *   RETURN from a DRAINING worker: route (it takes no shard)
 * </pre>
 */
public final class HandoffRouter implements WorkerRouting
{
    private static final Logger LOG = LogManager.getLogger(HandoffRouter.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** Lost compare-and-sets on one shard's entry before a client is refused (E 3). */
    private static final int MAX_ROUTE_ATTEMPTS = 8;

    private final WorkerTable table;
    private final ShardTable shards;
    private final Placement placement;
    private final ClientRefusal refusal;
    private final ShutdownSequence shutdown;
    private final MasterCounters counters;
    private final CachedNanoClock clock;
    private final int masterPid;
    private final long shardTtlNanos;
    private final PendingHandoffs.Sink routeAgain = this::route;
    /** Frames still queued for a lost worker: its hand-offs go elsewhere, the rest is dropped. */
    private final ChannelFrameHandler requeue = this::requeue;

    public HandoffRouter(
        final WorkerTable table, final ShardTable shards, final Placement placement, final ClientRefusal refusal,
        final ShutdownSequence shutdown, final MasterCounters counters, final CachedNanoClock clock, final int masterPid, final long shardTtlMs)
    {
        this.table = table;
        this.shards = shards;
        this.placement = placement;
        this.refusal = refusal;
        this.shutdown = shutdown;
        this.counters = counters;
        this.clock = clock;
        this.masterPid = masterPid;
        this.shardTtlNanos = shardTtlMs * NANOS_PER_MILLI;
    }

    /**
     * Sends a client of {@code shardId}, with its session state, to the worker that owns the shard,
     * assigning one if needed. The payload is forwarded unopened.
     */
    public void route(final int shardId, final int fd, final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        if (!shutdown.isRunning())
        {
            refusal.refuse(fd, ErrorCode.SHUTTING_DOWN);
            return;
        }
        // Workers change entries too (they take new and empty shards): each step is a compare-and-set
        // on the entry as read, and a lost race is decided again on the entry as it is now.
        for (int attempt = 0; attempt < MAX_ROUTE_ATTEMPTS; attempt++)
        {
            final long entry = shards.entry(shardId);
            if (entry == SharedShardTable.FREE_ENTRY)
            {
                final int placed = placement.place();
                if (placed == WorkerSlot.NO_SLOT)
                {
                    counters.increment(MasterCounter.REJECTED_SERVER_FULL);
                    refusal.refuse(fd, ErrorCode.SERVER_FULL);
                    return;
                }
                if (shards.place(shardId, placed) == SharedShardTable.FREE_ENTRY && shards.entry(shardId) == SharedShardTable.FREE_ENTRY)
                {
                    break; // its set is full of shards with clients (or locked by a stalled worker)
                }
                continue; // placed, or taken meanwhile: forward to the owner it has now
            }
            final WorkerSlot owner = table.slot(SharedShardTable.ownerOf(entry));
            if (!owner.isLive())
            {
                shards.remove(shardId, entry);
            }
            else if (!SharedShardTable.isEmpty(entry) || shards.activate(shardId, entry))
            {
                forward(owner, shardId, fd, payload, payloadOffset, payloadLength);
                return;
            }
        }
        counters.increment(MasterCounter.REJECTED_SHARD_TABLE);
        refusal.refuse(fd, ErrorCode.SHARD_BUSY);
    }

    /**
     * A worker could not take a client. Draining, it takes no shard: route afresh. Full, it says
     * how many clients of the shard it still has: with some, moving the shard would split it, so
     * the client is refused; with none, the shard moves like a new one (another worker with room,
     * else a new worker), and the worker is told once every client of the shard we had sent it is
     * behind that message (SHARD_MOVED), so that it stops returning them.
     */
    public void onReturn(final WorkerSlot slot, final ChannelFrame frame, final int fd)
    {
        final int shardId = frame.shardId();
        if (slot.state == WorkerSlot.READY || slot.state == WorkerSlot.STARTING)
        {
            slot.onReturnedFull(frame.ack());
            if (frame.shardClients() > 0)
            {
                counters.increment(MasterCounter.REJECTED_SHARD_WORKER_FULL);
                refusal.refuse(fd, ErrorCode.SERVER_FULL);
                return;
            }
            counters.increment(MasterCounter.HANDOFFS_REROUTED);
            slot.channel.post(ChannelCommand.SHARD_MOVED, shardId, 0, masterPid, ChannelFrame.NO_FD);
        }
        final long entry = shards.entry(shardId);
        if (entry != SharedShardTable.FREE_ENTRY && SharedShardTable.ownerOf(entry) == slot.index)
        {
            shards.remove(shardId, entry);
        }
        route(shardId, fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
    }

    @Override
    public void onWorkerReady(final WorkerSlot slot)
    {
        slot.pending.drainTo(routeAgain); // to their shards' owner: this worker, now READY
    }

    @Override
    public void onWorkerDraining(final WorkerSlot slot)
    {
        shards.removeAllOf(slot.index, false);
        slot.pending.drainTo(routeAgain);
    }

    @Override
    public int shardsOf(final WorkerSlot slot)
    {
        return shards.countOf(slot.index);
    }

    /**
     * The worker cannot be reached any more (its channel closed or failed, or it exited): its
     * shards are forgotten, and the clients waiting for it or queued on its channel go elsewhere.
     */
    @Override
    public void onWorkerLost(final WorkerSlot slot, final String why)
    {
        if (slot.state == WorkerSlot.GONE || slot.state == WorkerSlot.FREE)
        {
            return;
        }
        final boolean wasServing = slot.state != WorkerSlot.DRAINING;
        slot.state = WorkerSlot.GONE;
        slot.goneAtNanos = clock.nanoTime();
        final int lost = shards.removeAllOf(slot.index, true);
        LOG.info("worker {} (slot {}) gone ({}): {} shards unassigned{}", slot.pid, slot.index, why, lost,
            wasServing ? "" : " (was draining)");
        slot.pending.drainTo(routeAgain);
        if (null != slot.channel)
        {
            slot.channel.drainQueue(requeue);
        }
    }

    /**
     * The worker's last client of a shard left, as of our frame {@code ack}. A client sent after
     * that makes the report stale; otherwise the shard is forgotten after the TTL.
     */
    public void onShardGone(final WorkerSlot slot, final int shardId, final int ack, final int gen)
    {
        if (!shards.gone(shardId, slot.index, ack, gen, clock.nanoTime()))
        {
            counters.increment(MasterCounter.STALE_SHARD_GONE);
        }
    }

    /** After every pass of the master's loop: which workers may take new shards themselves now. */
    public void onPass()
    {
        placement.publishRights(shards.shared());
    }

    /** Ages the shard table and tends the lingering refusals (on the tick). */
    public void onTick()
    {
        refusal.onTick();
        counters.add(MasterCounter.SHARDS_EXPIRED, shards.expire(clock.nanoTime(), shardTtlNanos));
    }

    private void forward(
        final WorkerSlot slot, final int shardId, final int fd,
        final DirectBuffer payload, final int payloadOffset, final int payloadLength)
    {
        if (slot.state == WorkerSlot.STARTING)
        {
            if (slot.pending.add(shardId, fd, payload, payloadOffset, payloadLength))
            {
                counters.increment(MasterCounter.HANDOFFS_QUEUED);
            }
            else
            {
                refusal.refuse(fd, ErrorCode.SHARD_BUSY);
            }
            return;
        }
        // Posted, not sent: the pump's flush passes this pass's hand-offs to each worker in a few sendmsg calls.
        final int result = slot.channel.post(ChannelCommand.HANDOFF, shardId, 0, masterPid, fd, payload, payloadOffset, payloadLength);
        if (result == Channel.QUEUED)
        {
            shards.forwarded(shardId, slot.index, slot.channel.lastSeq());
            slot.onHandoffSent(slot.channel.lastSeq());
            slot.served++;
            counters.increment(MasterCounter.HANDOFFS_ROUTED);
        }
        else if (result == Channel.FULL)
        {
            refusal.refuse(fd, ErrorCode.SHARD_BUSY);
        }
        else
        {
            onWorkerLost(slot, "channel send failed");
            route(shardId, fd, payload, payloadOffset, payloadLength);
        }
    }

    private void requeue(final ChannelFrame frame, final int fd)
    {
        if (frame.command() == ChannelCommand.HANDOFF)
        {
            route(frame.shardId(), fd, frame.buffer(), frame.payloadOffset(), frame.payloadLength());
        }
        else
        {
            Posix.closeQuietly(fd);
        }
    }
}
