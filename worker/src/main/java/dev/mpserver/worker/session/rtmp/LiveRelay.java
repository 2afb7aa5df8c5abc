package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.rtmp.AggregateMessageReader;
import dev.mpserver.protocol.rtmp.AudioTag;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.DataMessage;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.VideoTag;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * The media path of a live stream: each message from the publisher is chunked <b>once</b> with the
 * stateless encoder and the same bytes go to every player (straight to its socket when it keeps up,
 * {@link RtmpOutput#shared}) (all players share the chunk
 * size {@value #CHUNK_SIZE}, message stream {@value #MEDIA_STREAM_ID} and the chunk stream ids
 * below), and kept for players that join later (metadata, sequence headers, GOP cache).
 *
 * <pre>
 *   csid 4 audio, 5 data (onMetaData), 6 video; message stream 1; the publisher's timestamps
 * </pre>
 *
 * <h2>Slow players</h2>
 * As nginx-rtmp does, a player whose unsent output is over {@code --output-cap}/2 skips media until
 * the next keyframe (sequence headers and metadata still reach it); the skipped messages are
 * counted as dropped frames. One that still cannot keep up is cut off at {@code --output-cap}
 * ({@link #flushPlayers}). A player's progress (bytes the kernel took) counts as activity for the
 * idle timeout: a healthy player sends almost nothing back.
 */
final class LiveRelay
{
    /** The chunk size announced to every client at connect (the contract with loadgen rtmp). */
    static final int CHUNK_SIZE = 4096;
    static final int MEDIA_STREAM_ID = 1;
    static final int AUDIO_CSID = 4;
    static final int DATA_CSID = 5;
    static final int VIDEO_CSID = 6;

    private final ClientTable table;
    private final ClientIo io;
    private final LiveStreams streams;
    private final RtmpOutput output;
    private final WorkerCounters counters;
    private final int outputCap;
    private final int slowThreshold;
    private final ChunkEncoder shared = ChunkEncoder.stateless(CHUNK_SIZE);
    private final ExpandableDirectByteBuffer chunked = new ExpandableDirectByteBuffer(64 * 1024);
    private final AggregateMessageReader aggregate = new AggregateMessageReader();

    LiveRelay(
        final ClientTable table, final ClientIo io, final LiveStreams streams, final RtmpOutput output,
        final WorkerCounters counters, final int outputCap)
    {
        this.table = table;
        this.io = io;
        this.streams = streams;
        this.output = output;
        this.counters = counters;
        this.outputCap = outputCap;
        this.slowThreshold = outputCap / 2;
    }

    /**
     * A message from the publisher of {@code stream}: audio, video, data or aggregate.
     *
     * @return false if it is malformed (an aggregate whose tags run past its end)
     */
    boolean onMessage(
        final LiveStream stream, final int typeId, final int timestamp, final DirectBuffer buffer, final int offset,
        final int length)
    {
        switch (typeId)
        {
            case MessageType.AUDIO:
            case MessageType.VIDEO:
                media(stream, typeId, timestamp, buffer, offset, length);
                return true;
            case MessageType.AMF0_DATA:
            case MessageType.AMF3_DATA:
                final int skip = Math.min(length, MessageType.amf0BodyOffset(typeId));
                data(stream, timestamp, buffer, offset + skip, length - skip);
                return true;
            case MessageType.AGGREGATE:
                aggregate.wrap(buffer, offset, length, timestamp);
                while (aggregate.next())
                {
                    onMessage(stream, aggregate.tagType(), aggregate.timestamp(), buffer, aggregate.dataOffset(),
                        aggregate.dataLength());
                }
                return !aggregate.isMalformed();
            default:
                return true;
        }
    }

    private void media(
        final LiveStream stream, final int typeId, final int timestamp, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final boolean video = typeId == MessageType.VIDEO;
        final boolean header = video ?
            VideoTag.isSequenceHeader(buffer, offset, length) : AudioTag.isSequenceHeader(buffer, offset, length);
        final boolean keyFrame = video && !header && VideoTag.isKeyFrame(buffer, offset, length);
        stream.hasVideo |= video;
        stream.bytesIn += length;
        counters.add(WorkerCounter.RTMP_MEDIA_BYTES_IN, length);
        final int chunkedLength = chunkOnce(video ? VIDEO_CSID : AUDIO_CSID, timestamp, typeId, buffer, offset, length);
        if (header)
        {
            if (video)
            {
                stream.videoHeader(chunked, 0, chunkedLength);
            }
            else
            {
                stream.audioHeader(chunked, 0, chunkedLength);
            }
        }
        else
        {
            stream.gop.add(chunked, 0, chunkedLength, video, keyFrame);
        }
        deliver(stream, chunkedLength, header, keyFrame);
    }

    private void data(final LiveStream stream, final int timestamp, final DirectBuffer buffer, final int offset, final int length)
    {
        final int metadata = DataMessage.metaDataOffset(buffer, offset, length);
        if (metadata != DataMessage.NOT_METADATA)
        {
            // Players get onMetaData without the publisher's @setDataFrame, as from FMS.
            final int chunkedLength = chunkOnce(DATA_CSID, timestamp, MessageType.AMF0_DATA, buffer, metadata,
                offset + length - metadata);
            stream.metadata(chunked, 0, chunkedLength);
            deliver(stream, chunkedLength, true, false);
        }
        else if (RtmpCommand.isNamed(buffer, offset, length, MessageType.AMF0_DATA, "@clearDataFrame"))
        {
            stream.clearMetadata();
        }
        else if (!RtmpCommand.isNamed(buffer, offset, length, MessageType.AMF0_DATA, CommandName.SET_DATA_FRAME))
        {
            deliver(stream, chunkOnce(DATA_CSID, timestamp, MessageType.AMF0_DATA, buffer, offset, length), false, false);
        }
    }

    private int chunkOnce(
        final int csid, final int timestamp, final int typeId, final DirectBuffer buffer, final int offset, final int length)
    {
        chunked.checkLimit(ChunkEncoder.encodedLength(CHUNK_SIZE, csid, timestamp, length));
        return shared.encode(chunked, 0, csid, timestamp, typeId, MEDIA_STREAM_ID, buffer, offset, length);
    }

    /**
     * Sends the chunked message to every player that takes it.
     *
     * @param always sequence headers and metadata: every player gets them, even one that skips frames
     */
    private void deliver(final LiveStream stream, final int chunkedLength, final boolean always, final boolean keyFrame)
    {
        int player = stream.firstPlayer;
        while (player != ClientTable.NONE)
        {
            final int next = streams.nextPlayer(player);
            if (always || takes(stream, player, keyFrame))
            {
                relay(player, stream, chunked, chunkedLength);
            }
            else
            {
                counters.increment(WorkerCounter.RTMP_DROPPED_FRAMES);
            }
            player = next;
        }
    }

    /** False if the player skips this message: it is behind, or waits for a keyframe. */
    private boolean takes(final LiveStream stream, final int player, final boolean keyFrame)
    {
        final boolean behind = io.pendingOutput(player) > slowThreshold;
        if (streams.isAwaitingKeyFrame(player))
        {
            if ((keyFrame || !stream.hasVideo) && !behind)
            {
                streams.awaitKeyFrame(player, false);
                return true;
            }
            return false;
        }
        if (behind)
        {
            streams.awaitKeyFrame(player, stream.hasVideo);
            return false;
        }
        return true;
    }

    /**
     * A player joins: what it needs before the next frame (metadata, sequence headers) and, when
     * the stream has one and it fits the output cap, the GOP since the last keyframe; else it
     * starts at the next keyframe.
     */
    void join(final int player, final LiveStream stream)
    {
        output.sendPending(player); // its answers to play first: what follows can then go straight to the socket
        relay(player, stream, stream.metadata(), stream.metadataLength());
        relay(player, stream, stream.videoHeader(), stream.videoHeaderLength());
        relay(player, stream, stream.audioHeader(), stream.audioHeaderLength());
        if (stream.gop.hasGop() && io.pendingOutput(player) + stream.gop.length() <= outputCap)
        {
            relay(player, stream, stream.gop.bytes(), stream.gop.length());
            streams.awaitKeyFrame(player, false);
        }
        else
        {
            streams.awaitKeyFrame(player, stream.hasVideo || !stream.isPublished());
        }
    }

    /** Shared chunked bytes to one player, counted as relayed. */
    private void relay(final int player, final LiveStream stream, final DirectBuffer bytes, final int length)
    {
        if (length > 0)
        {
            output.shared(player, bytes, 0, length);
            stream.bytesOut += length;
            counters.add(WorkerCounter.RTMP_RELAYED_BYTES, length);
        }
    }

    /** A publisher starts: the stream's players are told, and start at its first keyframe. */
    void published(final LiveStream stream)
    {
        tellPlayers(stream, StatusCode.PLAY_PUBLISH_NOTIFY, " is now published.");
    }

    /** The publisher left: the stream's players are told and wait for the next one (or their idle timeout). */
    void unpublished(final LiveStream stream, final long nowNanos)
    {
        tellPlayers(stream, StatusCode.PLAY_UNPUBLISH_NOTIFY, " is now unpublished.");
        flushPlayers(stream, nowNanos);
    }

    private void tellPlayers(final LiveStream stream, final String code, final String what)
    {
        final String description = stream.key + what;
        for (int player = stream.firstPlayer; player != ClientTable.NONE; player = streams.nextPlayer(player))
        {
            CommandWriter.onStatus(output.body(), StatusCode.LEVEL_STATUS, code, description);
            output.command(player, MEDIA_STREAM_ID);
            streams.awaitKeyFrame(player, true);
        }
    }

    /**
     * Sends what the players of {@code stream} have pending: a player the kernel took bytes from is
     * active (idle timeout); one whose peer is gone is closed, one still over {@code --output-cap}
     * is cut off. Called once per batch of the publisher's input, never for the current client.
     */
    void flushPlayers(final LiveStream stream, final long nowNanos)
    {
        int player = stream.firstPlayer;
        while (player != ClientTable.NONE)
        {
            final int next = streams.nextPlayer(player);
            final int pending = io.pendingOutput(player);
            if (0 == pending)
            {
                // It took everything it was given (most media goes straight to the socket): active.
                table.touch(player, nowNanos);
            }
            else
            {
                if (!io.flush(player))
                {
                    io.close(player);
                }
                else if (io.isOverCap(player))
                {
                    counters.increment(WorkerCounter.SLOW_READERS_CUT);
                    io.close(player);
                }
                else if (io.pendingOutput(player) < pending)
                {
                    table.touch(player, nowNanos);
                }
            }
            player = next;
        }
    }
}
