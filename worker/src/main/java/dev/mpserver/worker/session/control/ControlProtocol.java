package dev.mpserver.worker.session.control;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.wire.ClientFrameHandler;
import dev.mpserver.protocol.wire.ClientFrameParser;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import dev.mpserver.worker.session.SessionProtocol;
import dev.mpserver.worker.session.ShardRouter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The {@code 'C'} protocol (README, "Client protocol"): a first frame {@code 'C' id} names the
 * shard; {@code 'M'} is answered with the prototype's ping reply, {@code 'I'} with who serves the
 * client, and {@code 'B'} goes to every other client of the shard (seed 000's chat room). It is the
 * default protocol: an unknown first byte is answered with its {@code 'E'} 1.
 *
 * <p>Its clients carry no state between workers: under a master the worker reads nothing past
 * {@code 'C' id} before routing ({@link #readLimit}), so the rest of the stream is still in the
 * socket for the worker that serves the client, and a hand-off's payload is empty. A client whose
 * first frame is not {@code 'C'} is served where it landed, in no shard.
 *
 * <p>Output is bounded by {@code --output-cap}: a client that pipelines faster than it reads is
 * flushed once, then cut off; so is a broadcast receiver that falls that far behind.
 */
public final class ControlProtocol implements SessionProtocol, ClientFrameHandler
{
    /** Its name in hand-off payloads (never sent: its payloads are empty). */
    public static final byte ID = WireProtocol.CONTROL;

    private final ClientTable table;
    private final ClientIo io;
    private final ShardRouter router;
    private final WorkerCounters counters;
    private final int pid;
    private final int workerSlot;
    private final ClientFrameParser[] parsers;

    /** The client whose frames are being parsed, and how its parse ended. */
    private int current = ClientTable.NONE;
    private boolean ended;
    private boolean cutOff;

    public ControlProtocol(
        final ClientTable table, final ClientIo io, final ShardRouter router, final WorkerCounters counters,
        final int pid, final int workerSlot)
    {
        this.table = table;
        this.io = io;
        this.router = router;
        this.counters = counters;
        this.pid = pid;
        this.workerSlot = workerSlot;
        this.parsers = new ClientFrameParser[table.capacity()];
    }

    @Override
    public byte id()
    {
        return ID;
    }

    @Override
    public String name()
    {
        return "C";
    }

    @Override
    public boolean recognises(final byte firstByte)
    {
        return firstByte == WireProtocol.CONTROL || firstByte == WireProtocol.MESSAGE ||
            firstByte == WireProtocol.IDENTIFY || firstByte == WireProtocol.BROADCAST;
    }

    @Override
    public int readLimit(final int slot)
    {
        if (!router.hasMaster() || !parsers[slot].isControlAllowed())
        {
            return Integer.MAX_VALUE;
        }
        final int have = table.inputLimit(slot);
        if (have > 0 && table.input(slot).getByte(WireProtocol.TYPE_OFFSET) != WireProtocol.CONTROL)
        {
            return Integer.MAX_VALUE; // unrouted: served here whatever follows
        }
        return WireProtocol.CONTROL_FRAME_LENGTH - have;
    }

    @Override
    public void open(final int slot)
    {
        parser(slot).reset();
    }

    @Override
    public boolean resume(final int slot, final int shardId, final DirectBuffer state, final int offset, final int length)
    {
        parser(slot).resetAfterControl(); // its 'C' was read by the worker that handed it off
        return 0 == length;
    }

    @Override
    public int onInput(final int slot, final DirectBuffer buffer, final int offset, final int length, final boolean peerClosed)
    {
        final ClientFrameParser parser = parsers[slot];
        if (table.state(slot) == ClientTable.OPEN && parser.isControlAllowed() &&
            buffer.getByte(offset + WireProtocol.TYPE_OFFSET) != WireProtocol.CONTROL && !router.serveUnrouted(slot))
        {
            return ENDED;
        }
        current = slot;
        ended = false;
        cutOff = false;
        final int consumed = parser.parse(buffer, offset, length, this);
        current = ClientTable.NONE;
        if (ended)
        {
            return ENDED;
        }
        if (parser.hasFailed())
        {
            io.linger(slot); // after its 'E' 1
            return ENDED;
        }
        if (cutOff || io.isOverCap(slot))
        {
            counters.increment(WorkerCounter.SLOW_READERS_CUT);
            io.close(slot);
            return ENDED;
        }
        return consumed;
    }

    @Override
    public int exportState(final int slot, final MutableDirectBuffer into, final int offset, final int maxLength)
    {
        return 0;
    }

    @Override
    public void writeRefusal(final int slot, final ErrorCode code)
    {
        final int at = io.reserve(slot, WireEncoder.errorFrameLength(code.text()));
        WireEncoder.putError(io.output(slot), at, code);
    }

    @Override
    public void close(final int slot)
    {
    }

    // ---------------------------------------------------------------- frames of the current client

    @Override
    public boolean onControl(final int shardId)
    {
        if (router.route(current, shardId) != ShardRouter.SERVED_HERE)
        {
            ended = true; // handed off or refused: the bytes behind 'C' are not ours
            return false;
        }
        return true;
    }

    @Override
    public boolean onMessage(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        counters.increment(WorkerCounter.MESSAGES);
        final int at = io.reserve(current, WireProtocol.PING_REPLY_LENGTH);
        WireEncoder.putPingReply(io.output(current), at);
        return withinCap(current);
    }

    @Override
    public boolean onIdentify()
    {
        counters.increment(WorkerCounter.IDENTIFIES);
        final int shardId = table.shard(current);
        final int clients = shardId == WireProtocol.NO_SHARD ? 0 : table.clientsOnShard(shardId);
        final int at = io.reserve(current, WireProtocol.IDENTIFY_REPLY_LENGTH);
        WireEncoder.putIdentifyReply(io.output(current), at, pid, workerSlot, shardId, clients);
        return withinCap(current);
    }

    @Override
    public boolean onBroadcast(final DirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        counters.increment(WorkerCounter.BROADCASTS);
        final int sender = current;
        final int shardId = table.shard(sender);
        if (shardId == WireProtocol.NO_SHARD)
        {
            return true;
        }
        int member = table.firstOfShard(shardId);
        while (member != ClientTable.NONE)
        {
            final int next = table.nextOfShard(member);
            if (member != sender)
            {
                final int at = io.reserve(member, frameLength);
                io.output(member).putBytes(at, buffer, frameOffset, frameLength);
                counters.increment(WorkerCounter.BROADCAST_DELIVERIES);
                if (!io.flush(member))
                {
                    io.close(member);
                }
                else if (io.isOverCap(member))
                {
                    counters.increment(WorkerCounter.SLOW_READERS_CUT);
                    io.close(member);
                }
            }
            member = next;
        }
        return true;
    }

    @Override
    public void onError(final ErrorCode code, final String reason)
    {
        counters.increment(WorkerCounter.ERRORS_BAD_FRAME);
        final int at = io.reserve(current, WireEncoder.errorFrameLength(reason));
        WireEncoder.putError(io.output(current), at, code, reason);
    }

    /** Keeps parsing while the output fits; flushes once before giving up on a fast pipeliner. */
    private boolean withinCap(final int slot)
    {
        if (!io.isOverCap(slot))
        {
            return true;
        }
        if (!io.flush(slot) || io.isOverCap(slot))
        {
            cutOff = true;
            return false;
        }
        return true;
    }

    private ClientFrameParser parser(final int slot)
    {
        ClientFrameParser parser = parsers[slot];
        if (null == parser)
        {
            parser = new ClientFrameParser();
            parsers[slot] = parser;
        }
        return parser;
    }
}
