package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.RtmpSettings;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.ServerHandshake;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import dev.mpserver.worker.session.SessionProtocol;
import dev.mpserver.worker.session.ShardRouter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * RTMP behind the worker's session seam: a connection whose first byte is an RTMP version (C0) is
 * a session here. It answers the simple handshake, decodes the chunk stream (each message goes where
 * {@link RtmpMessages} sends it: commands to {@link RtmpCommands}, media to {@link LiveRelay}),
 * routes the client once its key is known, and ends it on bad input. Its per-client state is in
 * {@link RtmpSlots} and {@link ReplayState}, arrays indexed by the client's slot.
 *
 * <pre>
 *  C0 C1 ─▶ S0 S1 S2, C2 ─▶ chunk stream: connect ─▶ [route: vhost|app] ─▶ createStream ... publish|play ─▶ [route: stream] ─▶ live
 *                                                        │                                                   │
 *                                          other worker's shard: hand off with ReplayState       (same; after this, the session stays)
 * </pre>
 *
 * <h2>Routing with state</h2>
 * When a command needs the client on another shard, decoding stops right after it and the client
 * is routed. Handed off, it travels with its {@link ReplayState} (the bytes it sent after the
 * handshake, unconsumed ones included, and how many bytes it was already sent); the worker that
 * takes it over ({@link #resume}) feeds those bytes through this same code, drops the answers the
 * client already has, and goes on reading the socket. If it stays here, the command runs again and
 * proceeds.
 *
 * <h2>Bad input ends one client</h2>
 * A C0 other than 3 (RTMPE's 6, 8, 9 included) is closed cleanly (lingering close, nothing
 * written: there is no chunk stream to speak in yet). A malformed chunk stream or AMF value, an
 * oversize message, a command out of order: the client gets an RTMP error ({@link RtmpRefusal})
 * and a lingering close. Unknown commands are answered with
 * {@code _error} when they carry a transaction id and otherwise ignored, as ffmpeg expects. Every
 * case is counted; nothing here can end another client or the worker.
 */
public final class RtmpProtocol implements SessionProtocol
{
    /** Hand-off payloads of RTMP sessions start with this byte (RTMP's version). */
    public static final byte ID = (byte)Handshake.RTMP_VERSION;
    /** C0 values of encrypted RTMP: claimed so that such a client gets a clean close, not the 'C' protocol's 'E'. */
    private static final int RTMPE = 6;
    private static final int RTMPE_XTEA = 8;
    private static final int RTMPE_BLOWFISH = 9;

    private final ClientTable table;
    private final ClientIo io;
    private final ShardRouter router;
    private final WorkerCounters counters;
    private final RtmpSlots slots;
    private final ReplayState replay;
    private final RtmpOutput output;
    private final LiveStreams streams;
    private final LiveRelay relay;
    private final RtmpCommands commands;
    private final RtmpMessages messages;
    private final RtmpHotKeys hotKeys;
    private final RtmpRefusal refusal;
    private final UnsafeBuffer handshakeAnswer = new UnsafeBuffer(new byte[Handshake.SERVER_RESPONSE_LENGTH]);
    private int sessions;

    /** A replayed session ended (or asked to move) during its replay: the router refuses it. */
    private boolean replayEnded;
    /** While routing: the client's bytes not consumed yet, which travel with its state. */
    private DirectBuffer tail;
    private int tailOffset;
    private int tailLength;

    public RtmpProtocol(
        final ClientTable table, final ClientIo io, final ShardRouter router, final WorkerCounters counters, final int pid,
        final RtmpSettings settings, final int outputCap)
    {
        this.table = table;
        this.io = io;
        this.router = router;
        this.counters = counters;
        this.slots = new RtmpSlots(table.capacity());
        this.replay = new ReplayState(table.capacity());
        this.output = new RtmpOutput(io, slots, replay);
        this.streams = new LiveStreams(table.capacity(), settings);
        this.relay = new LiveRelay(table, io, streams, output, counters, outputCap);
        this.commands = new RtmpCommands(table, slots, replay, output, streams, relay, counters, settings.shardBy, pid);
        this.messages = new RtmpMessages(slots, output, streams, relay, commands);
        this.hotKeys = new RtmpHotKeys(streams, counters);
        this.refusal = new RtmpRefusal(slots, output);
    }

    @Override
    public byte id()
    {
        return ID;
    }

    @Override
    public String name()
    {
        return "RTMP";
    }

    /** A vhost's publisher connects first and its players later: spread vhosts by count too. */
    @Override
    public boolean spreadsNewShards()
    {
        return true;
    }

    @Override
    public boolean recognises(final byte firstByte)
    {
        return firstByte == Handshake.RTMP_VERSION || firstByte == RTMPE || firstByte == RTMPE_XTEA || firstByte == RTMPE_BLOWFISH;
    }

    /** The session's state travels with it, so the worker may read whatever the client sent. */
    @Override
    public int readLimit(final int slot)
    {
        return Integer.MAX_VALUE;
    }

    @Override
    public void open(final int slot)
    {
        sessions++;
        slots.open(slot);
    }

    @Override
    public boolean resume(final int slot, final int shardId, final DirectBuffer state, final int offset, final int length)
    {
        sessions++;
        slots.openResumed(slot);
        if (!ReplayState.isValid(state, offset, length))
        {
            return resumeFailed(slot);
        }
        try
        {
            return replay(slot, state, offset);
        }
        catch (final RuntimeException ex)
        {
            WorkerLog.LOG.warn("RTMP session handed over to slot {} failed to replay: {}", slot, ex.toString(), ex);
            replay.replaying(false);
            return resumeFailed(slot);
        }
    }

    /** Feeds the handed-over bytes through this session and drops what the client already has. */
    private boolean replay(final int slot, final DirectBuffer state, final int offset)
    {
        replay.start(slot);
        final int bytesAt = offset + ReplayState.CLIENT_BYTES_OFFSET;
        final int bytes = ReplayState.clientBytesLength(state, offset);
        replay.replaying(true);
        replayEnded = false;
        final int consumed = consume(slot, state, bytesAt, bytes);
        replay.replaying(false);
        final int alreadySent = ReplayState.serverBytesSent(state, offset);
        if (io.pendingOutput(slot) < alreadySent)
        {
            // The replay wrote less than the client already has: this worker is not answering as
            // the last one did, and nothing it writes now would fit the client's stream.
            return resumeFailed(slot);
        }
        io.discardOutput(slot, alreadySent);
        if (consumed == ENDED || replayEnded)
        {
            return false; // the router refuses it; it was told why, or the refusal says so
        }
        if (replay.isRecording(slot))
        {
            replay.append(slot, state, bytesAt, consumed);
        }
        io.appendInput(slot, state, bytesAt + consumed, bytes - consumed);
        counters.increment(WorkerCounter.RTMP_STATE_RESUMED);
        afterInput(slot, false);
        return true;
    }

    /** A handed-over state that cannot be replayed here: the client is closed with nothing more written. */
    private boolean resumeFailed(final int slot)
    {
        counters.increment(WorkerCounter.RTMP_RESUME_ERRORS);
        io.discardOutput(slot, io.pendingOutput(slot));
        slots.told(slot); // nothing sensible can be said on a chunk stream in an unknown state
        return false;
    }

    @Override
    public int onInput(final int slot, final DirectBuffer buffer, final int offset, final int length, final boolean peerClosed)
    {
        try
        {
            final int consumed = consume(slot, buffer, offset, length);
            if (consumed == ENDED || !afterInput(slot, true))
            {
                return ENDED;
            }
            return consumed;
        }
        catch (final RuntimeException ex)
        {
            // A bug, not the client's fault: it costs this client, never the worker.
            WorkerLog.LOG.warn("RTMP session of slot {} failed: {}", slot, ex.toString(), ex);
            counters.increment(WorkerCounter.RTMP_PROTOCOL_ERRORS);
            replay.replaying(false);
            if (table.state(slot) != ClientTable.FREE)
            {
                io.close(slot);
            }
            return ENDED;
        }
    }

    @Override
    public int exportState(final int slot, final MutableDirectBuffer into, final int offset, final int maxLength)
    {
        final int length = null == tail ? ReplayState.CANNOT_EXPORT :
            replay.export(slot, io.pendingOutput(slot), tail, tailOffset, tailLength, into, offset, maxLength);
        if (length == ReplayState.CANNOT_EXPORT)
        {
            counters.increment(WorkerCounter.RTMP_STATE_TOO_LARGE);
            slots.failure(slot, "this session's state cannot travel to the worker of its key");
        }
        return length;
    }

    @Override
    public void writeRefusal(final int slot, final ErrorCode code)
    {
        refusal.write(slot, code);
    }

    @Override
    public void close(final int slot)
    {
        sessions--;
        commands.leave(slot, System.nanoTime());
        replay.stop(slot);
        slots.clear(slot);
    }

    /** Gauges for the counters file, on the loop's publishing cadence. */
    public void publishGauges()
    {
        counters.set(WorkerCounter.RTMP_SESSIONS, sessions);
        counters.set(WorkerCounter.RTMP_PUBLISHERS, streams.publishers());
        counters.set(WorkerCounter.RTMP_PLAYERS, streams.players());
        counters.set(WorkerCounter.RTMP_STREAMS, streams.streams());
        counters.set(WorkerCounter.RTMP_GOP_CACHE_BYTES, streams.gopCacheBytes());
    }

    /** The busiest shard and streams by name, for {@code mpserver stat} (about once a second). */
    public void publishHotKeys(final int busiestShard, final int busiestShardClients, final long nowNanos)
    {
        hotKeys.publish(busiestShard, busiestShardClients, nowNanos);
    }

    // ---------------------------------------------------------------- decoding

    /** Handshake, then chunks, as far as the bytes go. @return bytes consumed, or {@link #ENDED} */
    private int consume(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        int position = offset;
        final int limit = offset + length;
        while (position < limit)
        {
            final int used;
            if (slots.phase(slot) == RtmpSlots.HANDSHAKE)
            {
                used = handshake(slot, buffer, position, limit - position);
                if (used == ENDED)
                {
                    return ENDED;
                }
                position += used;
            }
            else
            {
                used = messages.decode(slot, buffer, position, limit - position);
                if (!replay.isReplaying() && replay.isRecording(slot) && !replay.append(slot, buffer, position, used))
                {
                    if (table.shard(slot) == WireProtocol.NO_SHARD)
                    {
                        counters.increment(WorkerCounter.RTMP_STATE_TOO_LARGE);
                        slots.failure(slot, "more than " + ReplayState.MAX_CLIENT_BYTES + " bytes before the stream was named");
                        return end(slot);
                    }
                    replay.stop(slot); // served here already: it just can no longer move
                }
                position += used;
                if (messages.action() == RtmpCommands.END)
                {
                    return end(slot);
                }
                if (messages.action() == RtmpCommands.ROUTE && route(slot, buffer, position, limit - position) == ENDED)
                {
                    return ENDED;
                }
            }
            if (0 == used)
            {
                break;
            }
        }
        return position - offset;
    }

    private int handshake(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        final ServerHandshake handshake = slots.handshake(slot);
        final int used = handshake.receive(buffer, offset, length, handshakeAnswer, 0);
        if (handshake.hasFailed())
        {
            counters.increment(WorkerCounter.RTMP_HANDSHAKE_ERRORS);
            WorkerLog.LOG.debug("RTMP handshake of slot {} failed: {}", slot, handshake.failureReason());
            io.linger(slot);
            return ENDED;
        }
        if (handshake.answerLength() > 0)
        {
            output.raw(slot, handshakeAnswer, 0, handshake.answerLength());
        }
        if (handshake.isComplete())
        {
            slots.phase(slot, RtmpSlots.CHUNKS);
            replay.start(slot);
            counters.increment(WorkerCounter.RTMP_HANDSHAKES);
        }
        return used;
    }

    /** The last command needs the client on shard {@link RtmpCommands#routeShard()}. @return 0, or {@link #ENDED} */
    private int route(final int slot, final DirectBuffer buffer, final int unconsumedOffset, final int unconsumedLength)
    {
        if (replay.isReplaying())
        {
            counters.increment(WorkerCounter.RTMP_RESUME_ERRORS);
            slots.failure(slot, "a handed-over session belongs to yet another shard");
            replayEnded = true;
            return ENDED;
        }
        tail = buffer;
        tailOffset = unconsumedOffset;
        tailLength = unconsumedLength;
        final int routed = router.route(slot, commands.routeShard());
        tail = null;
        if (routed == ShardRouter.HANDED_OFF)
        {
            counters.increment(WorkerCounter.RTMP_STATE_HANDOFFS);
            return ENDED;
        }
        if (routed != ShardRouter.SERVED_HERE)
        {
            return ENDED;
        }
        return messages.resumeRoutedCommand(slot) == RtmpCommands.END ? end(slot) : 0;
    }

    /** The client is ended: an error if it was not told why, then a lingering close (or, replaying, a mark). */
    private int end(final int slot)
    {
        if (null != slots.failure(slot) && !slots.wasTold(slot))
        {
            counters.increment(WorkerCounter.RTMP_PROTOCOL_ERRORS);
            WorkerLog.LOG.debug("RTMP session of slot {} ends: {}", slot, slots.failure(slot));
            if (!replay.isReplaying())
            {
                refusal.write(slot, ErrorCode.BAD_FRAME);
            }
        }
        if (replay.isReplaying())
        {
            replayEnded = true;
            return ENDED;
        }
        io.linger(slot);
        return ENDED;
    }

    /**
     * After a batch of input: the players of a publisher get what it relayed, the client gets the
     * acknowledgements it is owed (never while its session may still move), and one whose own output
     * stays over the cap is cut off.
     *
     * @return false if the client was cut off
     */
    private boolean afterInput(final int slot, final boolean mayCut)
    {
        if (streams.role(slot) == LiveStreams.PUBLISHER)
        {
            relay.flushPlayers(streams.streamOf(slot), System.nanoTime());
        }
        if (slots.phase(slot) == RtmpSlots.CHUNKS && !replay.isRecording(slot))
        {
            final long acknowledge = slots.acknowledgementDue(slot);
            if (acknowledge >= 0)
            {
                output.acknowledgement(slot, acknowledge);
            }
        }
        if (mayCut && io.isOverCap(slot) && (!io.flush(slot) || io.isOverCap(slot)))
        {
            counters.increment(WorkerCounter.SLOW_READERS_CUT);
            io.close(slot);
            return false;
        }
        return true;
    }
}
