package dev.mpserver.worker.session;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import dev.mpserver.worker.link.MasterLink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Where a client is served, once its session knows its shard. A shard with clients here is served
 * here (a shard is never split). A shard with no client here is taken here, without the master,
 * when the {@link SharedShardTable} lets this worker take it: it has no entry and this worker may
 * take new shards ({@link SharedShardTable#mayClaim}), or its entry is this worker's, or another
 * worker's that the master has seen empty. Any other goes to the master with the client's fd and
 * session state, which forwards it to the shard's worker. Alone (no master) every shard is served
 * here. Full is {@code --max-clients} served clients: a full worker refuses its own shards' new
 * clients and gives hand-offs back (see {@link MasterLink#returnClient}).
 */
public final class ShardRouter
{
    /** {@link #route}: the client stays and is served here. */
    public static final int SERVED_HERE = 0;
    /** {@link #route}: the client is on its way to the master; its slot is free. */
    public static final int HANDED_OFF = 1;
    /** {@link #route}: the client was refused; its slot is free. */
    public static final int REFUSED = 2;
    /** Lost compare-and-sets on one shard's entry before the client goes to the master instead. */
    private static final int MAX_TAKE_ATTEMPTS = 4;

    /** Ends a client with its protocol's refusal (see {@link ClientSessions}). */
    public interface Refusal
    {
        void refuse(int slot, ErrorCode code);

        /** A client that could not even get a slot. */
        void refuseFd(int fd, ErrorCode code);
    }

    private final ClientTable table;
    private final ClientIo io;
    private final MasterLink link;
    private final Protocols protocols;
    private final WorkerCounters counters;
    private final int maxClients;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[ChannelFrame.MAX_PAYLOAD_LENGTH]);
    private final HopLatency routeTimes;
    private final SharedShardTable shared;
    private final int slotIndex;
    private Refusal refusal;
    private boolean claiming;

    /**
     * @param link      the master, or null alone (single-process mode)
     * @param shared    the shard table the master made, or null: every shard with no client here
     *                  then goes to the master
     * @param slotIndex this worker's slot
     */
    public ShardRouter(
        final ClientTable table, final ClientIo io, final MasterLink link, final Protocols protocols,
        final WorkerCounters counters, final int maxClients, final HopLatency routeTimes,
        final SharedShardTable shared, final int slotIndex)
    {
        this.shared = shared;
        this.slotIndex = slotIndex;
        this.routeTimes = routeTimes;
        this.table = table;
        this.io = io;
        this.link = link;
        this.protocols = protocols;
        this.counters = counters;
        this.maxClients = maxClients;
    }

    public void refusal(final Refusal refusal)
    {
        this.refusal = refusal;
    }

    /**
     * Says whether this worker takes shards now (warm, not draining), and its load, to the workers
     * that read it from the shard table.
     */
    public void publishLoad(final boolean takesShards)
    {
        claiming = takesShards;
        if (null != shared)
        {
            shared.publishLoad(slotIndex, table.serving(), takesShards);
        }
    }

    /**
     * The gen of this worker's entry for a shard that is empty here, for its SHARD_GONE; -1 if the
     * entry is not this worker's any more, or the master already saw it empty.
     */
    public int genOfOwnEntry(final int shardId)
    {
        if (null == shared)
        {
            return 0;
        }
        final long entry = shared.find(shardId);
        return entry == SharedShardTable.FREE_ENTRY || SharedShardTable.ownerOf(entry) != slotIndex ||
            SharedShardTable.isEmpty(entry) ? -1 : SharedShardTable.genOf(entry);
    }

    public boolean isFull()
    {
        return table.serving() >= maxClients;
    }

    /** True if clients of other shards can be handed to a master. */
    public boolean hasMaster()
    {
        return null != link;
    }

    /**
     * The session of {@code slot} knows its shard: serve it here, hand it off, or refuse it.
     *
     * @return {@link #SERVED_HERE}, {@link #HANDED_OFF} or {@link #REFUSED}
     */
    public int route(final int slot, final int shardId)
    {
        routeTimes.record(System.nanoTime() - table.admittedNanos(slot));
        if (null == link || table.clientsOnShard(shardId) > 0 ||
            (!isFull() && takeHere(shardId, protocols.of(table, slot).spreadsNewShards())))
        {
            if (isFull())
            {
                refusal.refuse(slot, ErrorCode.SERVER_FULL); // the shard is served here, and never split
                return REFUSED;
            }
            leavePreviousShard(slot, shardId);
            serveHere(slot, shardId);
            return SERVED_HERE;
        }
        return handOff(slot, shardId);
    }

    /**
     * A session routed a second time (RTMP: by the vhost in a stream name after the host's at
     * connect) and staying here: if it was the last client of its first shard here, the master
     * hears so, as when a client leaves.
     */
    private void leavePreviousShard(final int slot, final int shardId)
    {
        final int previous = table.shard(slot);
        if (previous != WireProtocol.NO_SHARD && previous != shardId && 0 == table.leaveShard(slot) && null != link)
        {
            link.shardEmpty(previous);
        }
    }

    /** A client that names no shard stays where it landed. @return false if refused (full) */
    public boolean serveUnrouted(final int slot)
    {
        if (isFull())
        {
            refusal.refuse(slot, ErrorCode.SERVER_FULL);
            return false;
        }
        table.state(slot, ClientTable.SERVING);
        return true;
    }

    /**
     * A client the master hands over. Taken unless this worker is draining or full, or returned
     * its shard as empty and has not heard that it moved: then it goes back with its state.
     *
     * @return the client's slot, or {@link ClientTable#NONE} if it went back (or was refused)
     */
    public int accept(
        final int shardId, final int fd, final DirectBuffer state, final int stateOffset, final int stateLength,
        final boolean draining, final long nowNanos)
    {
        if (draining || isFull() || table.isFull() || link.isReturned(shardId))
        {
            if (!link.returnClient(fd, shardId, table.clientsOnShard(shardId), draining, state, stateOffset, stateLength))
            {
                refusal.refuseFd(fd, ErrorCode.SERVER_FULL);
            }
            return ClientTable.NONE;
        }
        final byte protocol = 0 == stateLength ? 0 : protocols.indexOfId(state.getByte(stateOffset));
        final int slot = table.add(fd, ClientTable.OPEN, nowNanos);
        counters.increment(WorkerCounter.HANDOFFS_IN);
        if (protocol == ClientTable.NO_PROTOCOL)
        {
            refusal.refuse(slot, ErrorCode.BAD_FRAME);
            return ClientTable.NONE;
        }
        table.protocol(slot, protocol);
        serveHere(slot, shardId);
        final int skip = 0 == stateLength ? 0 : 1;
        if (!protocols.get(protocol).resume(slot, shardId, state, stateOffset + skip, stateLength - skip))
        {
            refusal.refuse(slot, ErrorCode.BAD_FRAME);
            return ClientTable.NONE;
        }
        return slot;
    }

    /**
     * Takes a shard with no client here, if the shard table lets this worker: one compare-and-set
     * on the shard's entry (or an insert), decided again on the entry as it is now if another
     * process changed it first. Every take bumps the entry's gen, so that a SHARD_GONE of ours
     * still on its way is stale when the master reads it. {@code spread}: the client's protocol
     * spreads new shards by count too ({@link SessionProtocol#spreadsNewShards}).
     */
    private boolean takeHere(final int shardId, final boolean spread)
    {
        if (null == shared || !claiming || !shared.workersTake() || link.isReturned(shardId))
        {
            return false;
        }
        final boolean mayTakeNew = shared.mayClaim(slotIndex, table.serving(), spread);
        for (int attempt = 0; attempt < MAX_TAKE_ATTEMPTS; attempt++)
        {
            final long entry = shared.find(shardId);
            if (entry == SharedShardTable.FREE_ENTRY)
            {
                if (!mayTakeNew)
                {
                    return false;
                }
                if (shared.insert(shardId, slotIndex) != SharedShardTable.FREE_ENTRY)
                {
                    counters.increment(WorkerCounter.SHARDS_CLAIMED);
                    return true;
                }
                continue; // made meanwhile by another process, or its set is full: look again
            }
            final int owner = SharedShardTable.ownerOf(entry);
            if (owner != slotIndex && !(SharedShardTable.isEmpty(entry) && mayTakeNew))
            {
                return false; // another worker's, with clients (or on their way): the master forwards it there
            }
            if (shared.compareAndSet(shardId, entry, SharedShardTable.taken(entry, slotIndex)))
            {
                if (owner != slotIndex)
                {
                    counters.increment(WorkerCounter.SHARDS_CLAIMED);
                    counters.increment(WorkerCounter.SHARDS_TAKEN_OVER);
                }
                return true;
            }
        }
        return false;
    }

    private void serveHere(final int slot, final int shardId)
    {
        table.joinShard(slot, shardId);
        table.state(slot, ClientTable.SERVING);
    }

    private int handOff(final int slot, final int shardId)
    {
        int length = 0;
        if (!protocols.isDefault(table, slot))
        {
            final SessionProtocol protocol = protocols.of(table, slot);
            payload.putByte(0, protocol.id());
            final int written = protocol.exportState(slot, payload, 1, payload.capacity() - 1);
            if (written < 0)
            {
                refusal.refuse(slot, ErrorCode.SHARD_BUSY);
                return REFUSED;
            }
            length = 1 + written;
        }
        // Out of the epoll set while the fd is still ours: posting may send it and close our copy at
        // once, and a registration left behind would outlive the fd (the file is alive in flight) and
        // refuse this same client with EEXIST if the master sends it back here under the same number.
        io.unregister(slot);
        final int result = link.handOff(table.fd(slot), shardId, table.size() - 1, payload, 0, length);
        if (result != Channel.QUEUED)
        {
            refusal.refuse(slot, result == Channel.FULL ? ErrorCode.SHARD_BUSY : ErrorCode.SHUTTING_DOWN);
            return REFUSED;
        }
        counters.increment(WorkerCounter.HANDOFFS_OUT);
        io.detach(slot); // the channel owns the fd now
        return HANDED_OFF;
    }
}
