package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.ConnectRequest;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.ShardBy;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.StreamKey;
import dev.mpserver.protocol.rtmp.UserControl;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.client.ClientTable;

/**
 * What a live server answers to each command, and where the shard key is decided: at
 * {@code connect} for {@code --shard-by vhost|app}, at {@code publish}/{@code play} for
 * {@code stream} (and again there when the stream name names another vhost). A command that needs
 * the client on another shard first answers {@link #ROUTE}; the session routes the client and, if it
 * stays here, runs the same command again, which then proceeds.
 *
 * <h2>What may be said before a hand-off</h2>
 * Everything written before the client's final shard is known must be the same on every worker
 * ({@link ReplayState}): the control sequence after connect is fixed (Window Ack Size 2 500 000,
 * Set Peer Bandwidth 2 500 000 dynamic, Set Chunk Size 4096, then {@code _result}), the answers to
 * releaseStream, FCPublish, createStream (always stream id 1), getStreamLength and _checkbw carry
 * nothing of this process, and no acknowledgement, ping or timestamp is sent while the session may
 * still move. The worker's pid is only told in NetStream.Publish.Start and NetStream.Play.Start
 * (property {@code workerPid}, and the description ends with " (mpserver worker PID)"), which come
 * after the last routing decision.
 */
final class RtmpCommands
{
    /** {@link #onCommand}: go on with the next message. */
    static final int CONTINUE = 0;
    /** {@link #onCommand}: the client must be routed to {@link #routeShard()} first. */
    static final int ROUTE = 1;
    /** {@link #onCommand}: the client is ended (it was told why, or {@link RtmpSlots#failure} says it). */
    static final int END = 2;

    static final int WINDOW_ACK_SIZE = 2_500_000;
    static final int PEER_BANDWIDTH = 2_500_000;
    /** What createStream always answers: every player's media shares it. */
    static final int STREAM_ID = LiveRelay.MEDIA_STREAM_ID;

    private final ClientTable table;
    private final RtmpSlots slots;
    private final ReplayState replay;
    private final RtmpOutput output;
    private final LiveStreams streams;
    private final LiveRelay relay;
    private final WorkerCounters counters;
    private final ShardBy shardBy;
    private final int pid;
    private final String pidSuffix;
    private int routeShard;

    RtmpCommands(
        final ClientTable table, final RtmpSlots slots, final ReplayState replay, final RtmpOutput output,
        final LiveStreams streams, final LiveRelay relay, final WorkerCounters counters, final ShardBy shardBy, final int pid)
    {
        this.table = table;
        this.slots = slots;
        this.replay = replay;
        this.output = output;
        this.streams = streams;
        this.relay = relay;
        this.counters = counters;
        this.shardBy = shardBy;
        this.pid = pid;
        this.pidSuffix = " (mpserver worker " + pid + ")";
    }

    /** The shard a {@link #ROUTE} answer asks for. */
    int routeShard()
    {
        return routeShard;
    }

    /** @return {@link #CONTINUE}, {@link #ROUTE} or {@link #END} */
    int onCommand(final int slot, final RtmpCommand command, final int messageStreamId)
    {
        final double transaction = command.transactionId();
        switch (command.name())
        {
            case CommandName.CONNECT:
                return connect(slot, command);
            case CommandName.CREATE_STREAM:
                slots.streamCreated(slot);
                CommandWriter.createStreamResult(output.body(), transaction, STREAM_ID);
                output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
                return CONTINUE;
            case CommandName.FC_PUBLISH:
                CommandWriter.onFcPublish(output.body(), orEmpty(command.stringArgument(0)));
                output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
                return CONTINUE;
            case CommandName.GET_STREAM_LENGTH:
                CommandWriter.streamLengthResult(output.body(), transaction, 0);
                output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
                return CONTINUE;
            case CommandName.RELEASE_STREAM:
            case CommandName.CHECK_BANDWIDTH:
            case CommandName.FC_SUBSCRIBE:
                result(slot, transaction);
                return CONTINUE;
            case CommandName.PUBLISH:
            case CommandName.PLAY:
                return startStream(slot, command, messageStreamId, CommandName.PUBLISH.equals(command.name()));
            case CommandName.DELETE_STREAM:
            case CommandName.CLOSE_STREAM:
            case CommandName.FC_UNPUBLISH:
                leave(slot, System.nanoTime());
                result(slot, transaction);
                return CONTINUE;
            case CommandName.PAUSE:
            case CommandName.SEEK:
            case "receiveAudio":
            case "receiveVideo":
                return CONTINUE; // live: nothing to pause or seek; players get whatever is published
            default:
                if (!replay.isReplaying())
                {
                    counters.increment(WorkerCounter.RTMP_UNKNOWN_COMMANDS); // counted once, where it arrived
                }
                if (0 != transaction)
                {
                    CommandWriter.error(output.body(), transaction, "NetConnection.Call.Failed",
                        "unknown command " + command.name() + " (mpserver)");
                    output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
                }
                return CONTINUE;
        }
    }

    private int connect(final int slot, final RtmpCommand command)
    {
        if (slots.isConnected(slot))
        {
            slots.failure(slot, "connect sent twice");
            return END;
        }
        if (null == slots.connect(slot))
        {
            slots.connect(slot, ConnectRequest.of(command), command.transactionId());
        }
        final ConnectRequest request = slots.connect(slot);
        if (shardBy.isKnownAtConnect() && table.shard(slot) == WireProtocol.NO_SHARD)
        {
            routeShard = StreamKey.resolve(request, null).shardId(shardBy);
            return ROUTE;
        }
        output.windowAckSize(slot, WINDOW_ACK_SIZE);
        output.setPeerBandwidth(slot, PEER_BANDWIDTH, ProtocolControl.LIMIT_DYNAMIC);
        output.setChunkSize(slot, LiveRelay.CHUNK_SIZE);
        CommandWriter.connectResult(output.body(), command.transactionId(), request.objectEncoding(), "Connection succeeded.");
        output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
        slots.connected(slot);
        return CONTINUE;
    }

    /** publish or play: route if the stream belongs elsewhere, else start it here, for good. */
    private int startStream(final int slot, final RtmpCommand command, final int messageStreamId, final boolean publish)
    {
        final String name = command.stringArgument(0);
        if (!slots.isConnected(slot) || streams.role(slot) != LiveStreams.NO_ROLE)
        {
            slots.failure(slot, command.name() + (slots.isConnected(slot) ? " on a connection that already has a stream" :
                " before connect"));
            return END;
        }
        if (null == name || name.isEmpty())
        {
            return refuse(slot, messageStreamId, publish ? StatusCode.PUBLISH_BAD_NAME : StatusCode.PLAY_STREAM_NOT_FOUND,
                command.name() + " needs a stream name");
        }
        final StreamKey key = StreamKey.resolve(slots.connect(slot), name);
        final int shardId = key.shardId(shardBy);
        if (shardId != table.shard(slot))
        {
            if (replay.isRecording(slot))
            {
                routeShard = shardId;
                return ROUTE;
            }
            return refuse(slot, messageStreamId, publish ? "NetStream.Publish.Denied" : "NetStream.Play.Failed",
                "stream " + key.shardKey(ShardBy.STREAM) + " is served by another worker: connect again to reach it");
        }
        replay.stop(slot); // here for good: what follows may name this process
        final LiveStream stream = streams.acquire(key.shardKey(ShardBy.STREAM), key.shardKey(shardBy), shardId);
        if (publish)
        {
            if (stream.isPublished())
            {
                counters.increment(WorkerCounter.RTMP_PUBLISH_REFUSED);
                return refuse(slot, messageStreamId, StatusCode.PUBLISH_BAD_NAME, stream.key + " is already being published");
            }
            streams.publish(slot, stream);
            counters.increment(WorkerCounter.RTMP_PUBLISHES);
            output.userControl(slot, UserControl.STREAM_BEGIN, messageStreamId);
            started(slot, messageStreamId, StatusCode.PUBLISH_START, stream.key + " is now published.");
            relay.published(stream);
        }
        else
        {
            streams.play(slot, stream);
            counters.increment(WorkerCounter.RTMP_PLAYS);
            output.userControl(slot, UserControl.STREAM_BEGIN, messageStreamId);
            status(slot, messageStreamId, StatusCode.PLAY_RESET, "Playing and resetting " + stream.key + ".");
            started(slot, messageStreamId, StatusCode.PLAY_START, "Started playing " + stream.key + ".");
            CommandWriter.sampleAccess(output.body());
            output.data(slot, messageStreamId);
            relay.join(slot, stream);
        }
        return CONTINUE;
    }

    /** The client stops publishing or playing (deleteStream, closeStream, FCUnpublish, or it left). */
    void leave(final int slot, final long nowNanos)
    {
        final byte role = streams.role(slot);
        if (LiveStreams.PUBLISHER == role)
        {
            final LiveStream stream = streams.unpublish(slot);
            relay.unpublished(stream, nowNanos);
            streams.releaseIfUnused(stream);
        }
        else if (LiveStreams.PLAYER == role)
        {
            streams.releaseIfUnused(streams.stopPlaying(slot));
        }
    }

    private void started(final int slot, final int messageStreamId, final String code, final String description)
    {
        CommandWriter.onStatusOpen(output.body(), StatusCode.LEVEL_STATUS, code, description + pidSuffix)
            .property(StatusCode.WORKER_PID, pid)
            .objectEnd();
        output.command(slot, messageStreamId);
    }

    private void status(final int slot, final int messageStreamId, final String code, final String description)
    {
        CommandWriter.onStatus(output.body(), StatusCode.LEVEL_STATUS, code, description);
        output.command(slot, messageStreamId);
    }

    /** onStatus at level error saying why, then the client is ended. */
    private int refuse(final int slot, final int messageStreamId, final String code, final String description)
    {
        CommandWriter.onStatus(output.body(), StatusCode.LEVEL_ERROR, code, description + " (mpserver)");
        output.command(slot, messageStreamId);
        slots.told(slot);
        return END;
    }

    private void result(final int slot, final double transaction)
    {
        if (0 != transaction)
        {
            CommandWriter.result(output.body(), transaction);
            output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
        }
    }

    private static String orEmpty(final String text)
    {
        return null == text ? "" : text;
    }
}
