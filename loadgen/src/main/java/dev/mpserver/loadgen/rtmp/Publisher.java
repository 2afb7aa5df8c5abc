package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One stream's publisher: connect, releaseStream + FCPublish + createStream (one write, as ffmpeg),
 * publish(name, "live"), then on Publish.Start the metadata, the AVC and AAC sequence headers and
 * frames on a clock: video frame k is due k/fps after Publish.Start, a keyframe every --gop frames,
 * audio frames every 1024/44100 s. Each frame carries its intended send time; a frame the server's
 * socket could not take in time is sent late with that time, so the lateness shows in every
 * player's relay latency (no coordinated omission). Sending stops --drain before the end.
 */
final class Publisher extends RtmpClient
{
    private static final double TXN_RELEASE = 2;
    private static final double TXN_FC_PUBLISH = 3;
    private static final double TXN_CREATE_STREAM = 4;
    private static final double TXN_PUBLISH = 5;
    /** Frames are generated only while the socket has less than this waiting (bounds a stalled server's cost). */
    private static final int MAX_PENDING = 256 * 1024;
    private static final int METADATA_PROPERTIES = 9;
    /** A frame sent this long after its intended time counts as sent late (loadgen or the server's socket lagged). */
    private static final long LATE_NANOS = 5_000_000;

    private final RtmpConfig config;
    private final UnsafeBuffer videoFrame;
    private final UnsafeBuffer audioFrame;
    private final int keyLength;
    private final int interLength;
    private final double videoIntervalNanos;
    private final double audioIntervalNanos;
    private long mediaStart;
    private long stopAt;
    private int videoSeq;
    private int audioSeq;

    Publisher(final RtmpEngineThread engine, final int slot, final int stream)
    {
        super(engine, RtmpCounters.PUBLISHER, slot, stream, stream);
        this.config = engine.config();
        keyLength = SyntheticMedia.keyFrameLength(config.bitrate(), config.fps(), config.gop());
        interLength = SyntheticMedia.interFrameLength(config.bitrate(), config.fps(), config.gop());
        videoFrame = new UnsafeBuffer(new byte[keyLength]);
        audioFrame = new UnsafeBuffer(new byte[SyntheticMedia.audioFrameLength()]);
        videoIntervalNanos = 1e9 / config.fps();
        audioIntervalNanos = 1e9 / SyntheticMedia.AUDIO_FRAMES_PER_SECOND;
    }

    @Override
    void onHandshakeDone()
    {
        sendConnect(false);
    }

    @Override
    void onNetConnected()
    {
        final String streamName = config.streamName(stream);
        sendCommand(COMMAND_CSID, 0, CommandWriter.streamNameCommand(engine.amfWriter(), CommandName.RELEASE_STREAM,
            TXN_RELEASE, streamName));
        sendCommand(COMMAND_CSID, 0, CommandWriter.streamNameCommand(engine.amfWriter(), CommandName.FC_PUBLISH,
            TXN_FC_PUBLISH, streamName));
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
            sendCommand(STREAM_COMMAND_CSID, messageStreamId,
                CommandWriter.publish(engine.amfWriter(), TXN_PUBLISH, config.streamName(stream), "live"));
            phase = RtmpPhase.START;
        }
        else if (phase == RtmpPhase.START && CommandName.ON_STATUS.equals(name)
            && StatusCode.PUBLISH_START.equals(command.infoString("code")))
        {
            live(command);
        }
    }

    private void live(final RtmpCommand command)
    {
        final long now = System.nanoTime();
        phase = RtmpPhase.STREAMING;
        records.workerPid[index] = workerPid(command);
        records.firstFrameNanos[index] = now - startedAt;
        metrics.record(RtmpLatency.PUBLISH_START.ordinal(), now - startedAt);
        metrics.increment(RtmpCounters.PUBLISHERS_LIVE);
        engine.publisherSettled();
        mediaStart = now;
        stopAt = engine.deadline() - config.drainNanos();
        sendMetadata();
        sendMedia(MessageType.VIDEO, VIDEO_CSID, 0, SyntheticMedia.avcSequenceHeader());
        sendMedia(MessageType.AUDIO, AUDIO_CSID, 0, SyntheticMedia.aacSequenceHeader());
        pump(now);
    }

    private void sendMetadata()
    {
        final int length = CommandWriter.setDataFrameOpen(engine.amfWriter(), METADATA_PROPERTIES)
            .property("duration", 0)
            .property("width", SyntheticMedia.WIDTH)
            .property("height", SyntheticMedia.HEIGHT)
            .property("framerate", config.fps())
            .property("videocodecid", SyntheticMedia.VIDEO_CODEC_ID)
            .property("videodatarate", config.bitrate() / 1000.0)
            .property("audiocodecid", SyntheticMedia.AUDIO_CODEC_ID)
            .property("audiodatarate", SyntheticMedia.AUDIO_BITS_PER_SECOND / 1000.0)
            .property("encoder", "mpserver-loadgen")
            .objectEnd().length();
        send(encoder.encode(engine.out(), 0, DATA_CSID, 0, MessageType.AMF0_DATA, messageStreamId, engine.body(), 0, length));
    }

    private void sendMedia(final int typeId, final int csid, final int timestamp, final byte[] body)
    {
        final UnsafeBuffer b = new UnsafeBuffer(body);
        send(encoder.encode(engine.out(), 0, csid, timestamp, typeId, messageStreamId, b, 0, body.length));
    }

    /** Send every frame that is due (late ones first, in order) and arm the timer for the next. */
    private void pump(final long now)
    {
        while (open && pendingLength() < MAX_PENDING)
        {
            final long nextVideo = mediaStart + (long)(videoSeq * videoIntervalNanos);
            final long nextAudio = mediaStart + (long)(audioSeq * audioIntervalNanos);
            final boolean video = nextVideo <= nextAudio;
            final long due = video ? nextVideo : nextAudio;
            if (due - stopAt >= 0)
            {
                return;
            }
            if (due - now > 0)
            {
                engine.schedule(slot, due);
                return;
            }
            if (now - due > LATE_NANOS)
            {
                metrics.increment(RtmpCounters.FRAMES_SENT_LATE);
            }
            final long intended = due - engine.startNanos();
            if (video)
            {
                final boolean key = videoSeq % config.gop() == 0;
                final int length = key ? keyLength : interLength;
                SyntheticMedia.putVideoFrame(videoFrame, 0, length, key, stream, videoSeq, intended);
                sendFrame(MessageType.VIDEO, VIDEO_CSID, timestampMillis(videoSeq * videoIntervalNanos), videoFrame, length);
                records.highestSeq[index] = videoSeq;
                videoSeq++;
                records.videoFrames[index] = videoSeq;
                metrics.increment(RtmpCounters.VIDEO_FRAMES_SENT);
            }
            else
            {
                SyntheticMedia.putAudioFrame(audioFrame, 0, stream, audioSeq, intended);
                sendFrame(MessageType.AUDIO, AUDIO_CSID, timestampMillis(audioSeq * audioIntervalNanos), audioFrame,
                    audioFrame.capacity());
                audioSeq++;
                records.audioFrames[index] = audioSeq;
                metrics.increment(RtmpCounters.AUDIO_FRAMES_SENT);
            }
        }
    }

    private void sendFrame(final int typeId, final int csid, final int timestamp, final DirectBuffer body, final int length)
    {
        send(encoder.encode(engine.out(), 0, csid, timestamp, typeId, messageStreamId, body, 0, length));
    }

    private static int timestampMillis(final double nanos)
    {
        return (int)Math.round(nanos / 1e6);
    }

    @Override
    void onTimer(final long now)
    {
        if (phase == RtmpPhase.STREAMING)
        {
            pump(now);
        }
    }

    @Override
    void onWritable()
    {
        if (phase == RtmpPhase.STREAMING)
        {
            pump(System.nanoTime());
        }
    }

    @Override
    boolean isAwaitingServer()
    {
        return phase != RtmpPhase.STREAMING || pendingLength() > 0;
    }

    @Override
    public boolean onMedia(
        final int timestamp, final int typeId, final int streamId, final DirectBuffer prefix, final int kept, final int length)
    {
        return true;
    }

    @Override
    void onClosed()
    {
        if (phase != RtmpPhase.STREAMING)
        {
            engine.publisherSettled();
        }
    }
}
