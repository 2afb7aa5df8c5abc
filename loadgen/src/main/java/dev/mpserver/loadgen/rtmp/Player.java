package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.AudioTag;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.VideoTag;
import org.agrona.DirectBuffer;

/**
 * One player: connect, createStream, play(name) with SetBufferLength 3000 ms (as ffmpeg), then reads
 * media by its stamp only ({@link SkimmingChunkReader}). It records the worker pid of Play.Start, the
 * time to its first keyframe, and for every video frame from that keyframe on: gaps (frames missing),
 * reordering, and the relay latency from the publisher's intended send time.
 *
 * <pre>
 * seq == highest + 1   in order
 * seq  > highest + 1   a gap: seq − highest − 1 frames lost (for now)
 * seq <= highest       reordered (late); if frames were counted lost, one of them is taken back
 * </pre>
 * Frames that never arrive at the end of the run are added by the report (publisher's last seq −
 * the player's highest), because publishers stop --drain before the end.
 */
final class Player extends RtmpClient
{
    private static final double TXN_CREATE_STREAM = 2;
    private static final double TXN_PLAY = 3;
    private static final int BUFFER_LENGTH_MILLIS = 3000;

    private final RtmpConfig config;
    private long playStartedAt;
    private int highest = ClientRecords.NONE;
    private int audioHighest = ClientRecords.NONE;
    private boolean served;

    Player(final RtmpEngineThread engine, final int slot, final int player)
    {
        super(engine, RtmpCounters.PLAYER, slot, player, engine.config().streamOfPlayer(player));
        this.config = engine.config();
    }

    @Override
    void onHandshakeDone()
    {
        sendConnect(true);
    }

    @Override
    void onNetConnected()
    {
        sendCommand(COMMAND_CSID, 0, CommandWriter.createStream(engine.amfWriter(), TXN_CREATE_STREAM));
        phase = RtmpPhase.CREATE_STREAM;
    }

    @Override
    void onRoleCommand(final RtmpCommand command)
    {
        final String name = command.name();
        if (phase == RtmpPhase.CREATE_STREAM && CommandName.RESULT.equals(name) && command.transactionId() == TXN_CREATE_STREAM)
        {
            messageStreamId = (int)command.numberArgument(0, 1);
            sendCommand(STREAM_COMMAND_CSID, messageStreamId, CommandWriter.play(engine.amfWriter(), TXN_PLAY,
                config.streamName(stream), CommandWriter.PLAY_START_ANY));
            send(control.setBufferLength(engine.out(), 0, messageStreamId, BUFFER_LENGTH_MILLIS));
            phase = RtmpPhase.START;
        }
        else if (CommandName.ON_STATUS.equals(name))
        {
            onStatus(command);
        }
    }

    private void onStatus(final RtmpCommand command)
    {
        final String code = command.infoString("code");
        if (phase == RtmpPhase.START && StatusCode.PLAY_START.equals(code))
        {
            playStartedAt = lastProgress;
            records.workerPid[index] = workerPid(command);
            records.startNanos[index] = playStartedAt - startedAt;
            metrics.record(RtmpLatency.PLAY_START.ordinal(), playStartedAt - startedAt);
            metrics.increment(RtmpCounters.PLAYERS_PLAYING);
            phase = RtmpPhase.FIRST_FRAME;
        }
        else if (StatusCode.PLAY_PUBLISH_NOTIFY.equals(code))
        {
            metrics.increment(RtmpCounters.PUBLISH_NOTIFIES);
        }
        else if (StatusCode.PLAY_UNPUBLISH_NOTIFY.equals(code))
        {
            metrics.increment(RtmpCounters.UNPUBLISH_NOTIFIES);
        }
    }

    @Override
    public boolean onMedia(
        final int timestamp, final int typeId, final int streamId, final DirectBuffer prefix, final int kept, final int length)
    {
        if (phase != RtmpPhase.FIRST_FRAME && phase != RtmpPhase.STREAMING)
        {
            return true; // media before Play.Start: not ours to judge yet
        }
        metrics.add(RtmpCounters.MEDIA_BYTES_RECEIVED, length);
        if (typeId == MessageType.VIDEO ? VideoTag.isSequenceHeader(prefix, 0, kept)
            : typeId == MessageType.AUDIO && AudioTag.isSequenceHeader(prefix, 0, kept))
        {
            metrics.increment(RtmpCounters.SEQUENCE_HEADERS);
            return true;
        }
        final int stamp = typeId == MessageType.AGGREGATE ? -1 : SyntheticMedia.stampOffset(typeId, prefix, 0, kept);
        if (stamp < 0)
        {
            metrics.increment(RtmpCounters.UNSTAMPED_FRAMES);
            return true;
        }
        if (SyntheticMedia.stampStream(prefix, stamp) != stream)
        {
            metrics.increment(RtmpCounters.FOREIGN_FRAMES);
            records.foreign[index]++;
            return true;
        }
        final int seq = SyntheticMedia.stampSeq(prefix, stamp);
        final long intended = engine.startNanos() + SyntheticMedia.stampIntendedNanos(prefix, stamp);
        final long now = lastProgress;
        if (typeId == MessageType.AUDIO)
        {
            audio(seq);
            return true;
        }
        metrics.increment(RtmpCounters.VIDEO_FRAMES_RECEIVED);
        records.videoFrames[index]++;
        if (!served)
        {
            if (!VideoTag.isKeyFrame(prefix, 0, kept))
            {
                metrics.increment(RtmpCounters.FRAMES_BEFORE_KEYFRAME);
                records.framesBeforeKey[index]++;
                return true;
            }
            served = true;
            phase = RtmpPhase.STREAMING;
            highest = seq;
            records.firstKeySeq[index] = seq;
            records.firstFrameNanos[index] = now - startedAt;
            metrics.record(RtmpLatency.FIRST_FRAME.ordinal(), now - startedAt);
            metrics.record(RtmpLatency.PLAY_TO_FIRST_FRAME.ordinal(), now - playStartedAt);
            metrics.increment(RtmpCounters.PLAYERS_SERVED);
        }
        else if (seq == highest + 1)
        {
            highest = seq;
        }
        else if (seq > highest)
        {
            final int missing = seq - highest - 1;
            records.lost[index] += missing;
            records.gaps[index]++;
            metrics.add(RtmpCounters.FRAMES_LOST, missing);
            metrics.increment(RtmpCounters.GAPS);
            highest = seq;
        }
        else
        {
            records.reordered[index]++;
            metrics.increment(RtmpCounters.REORDERED);
            if (seq >= records.firstKeySeq[index] && records.lost[index] > 0)
            {
                records.lost[index]--;
                metrics.add(RtmpCounters.FRAMES_LOST, -1);
            }
        }
        records.highestSeq[index] = highest;
        if (intended - playStartedAt >= 0)
        {
            metrics.record(RtmpLatency.RELAY.ordinal(), now - intended);
        }
        else
        {
            metrics.increment(RtmpCounters.CACHED_FRAMES);
        }
        return true;
    }

    private void audio(final int seq)
    {
        metrics.increment(RtmpCounters.AUDIO_FRAMES_RECEIVED);
        records.audioFrames[index]++;
        if (!served)
        {
            return;
        }
        if (audioHighest != ClientRecords.NONE && seq > audioHighest + 1)
        {
            records.audioLost[index] += seq - audioHighest - 1;
            metrics.add(RtmpCounters.AUDIO_FRAMES_LOST, seq - audioHighest - 1);
        }
        audioHighest = Math.max(audioHighest, seq);
    }

    @Override
    void onTimer(final long now)
    {
    }

    @Override
    boolean isAwaitingServer()
    {
        return true;
    }
}
