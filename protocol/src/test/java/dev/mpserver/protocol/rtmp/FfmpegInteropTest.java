package dev.mpserver.protocol.rtmp;

import dev.mpserver.protocol.launch.Executables;
import dev.mpserver.protocol.rtmp.TestRtmpServer.Received;
import dev.mpserver.protocol.rtmp.TestRtmpServer.Session;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The codecs against real ffmpeg, both ways: ffmpeg publishes x264 + AAC to {@link TestRtmpServer}
 * (built only on the codecs), which must decode every message; then the captured stream, chunked
 * once with the stateless encoder, is played by ffmpeg players, which must decode frames. This also
 * proves the simple handshake choice (S1 version 0) for ffmpeg publishing and playing.
 */
class FfmpegInteropTest
{
    private static final int FPS = 25;
    private static final int GOP = 25;
    private static final int PUBLISH_SECONDS = 3;
    private static final long SCALE = Long.getLong("mpserver.test.timeout.scale", 1);
    private static final long PROCESS_TIMEOUT_SECONDS = 40 * SCALE;
    private static final Pattern FRAMES = Pattern.compile("frame=\\s*(\\d+)");

    private static String ffmpeg;

    @BeforeAll
    static void findFfmpeg()
    {
        final Path found = Executables.find("ffmpeg");
        Assumptions.assumeTrue(null != found, "ffmpeg is not installed (Debian: apt-get install ffmpeg); skipping");
        ffmpeg = found.toString();
    }

    /** The server announces chunk size 4096 at connect: ffmpeg echoes it and publishes at 4096. */
    @Test
    void ffmpegPublishesToTheCodecsAndTwoPlayersDecodeTheSharedReplay() throws Exception
    {
        try (TestRtmpServer server = new TestRtmpServer(4096))
        {
            final Session publisher = publish(server, List.of());
            assertEquals(List.of(4096), publisher.chunkSizesAnnounced, "ffmpeg answers our Set Chunk Size with its own");
            assertTrue(publisher.maxTimestamp < 0xFFFFFF);

            server.replay(chunkOnce(publisher, server.outChunkSize()));
            final List<String> players = play(server, 2);
            for (final String stderr : players)
            {
                assertDecodedFrames(stderr);
            }
            final List<Session> sessions = server.sessions();
            for (final Session player : sessions.subList(1, sessions.size()))
            {
                assertNull(player.failure, "player session failed: " + player.failure);
                assertEquals("s1", player.playName);
                assertEquals(3000, player.bufferLengthMillis, "ffmpeg's SetBufferLength after play");
                assertEquals(TestRtmpServer.WINDOW_ACK_SIZE, player.peerWindowAckSize, "ffmpeg's Window Ack Size");
                assertTrue(player.commands.containsAll(
                    List.of(CommandName.CONNECT, CommandName.CREATE_STREAM, CommandName.GET_STREAM_LENGTH, CommandName.PLAY)),
                    player.commands.toString());
            }
        }
    }

    /**
     * Timestamps past 0xFFFFFF ms (-output_ts_offset 16780 s) at chunk size 128: ffmpeg sends each
     * chunk stream's first message with an extended timestamp (its later headers carry small
     * deltas); the replay sends every media message with an extended timestamp, repeated on every
     * continuation chunk of the keyframes, which ffmpeg's reader requires.
     */
    @Test
    void extendedTimestampsBothWaysAtChunkSize128() throws Exception
    {
        try (TestRtmpServer server = new TestRtmpServer(0))
        {
            final Session publisher = publish(server, List.of("-output_ts_offset", "16780"));
            assertEquals(List.of(), publisher.chunkSizesAnnounced);
            assertTrue(Integer.compareUnsigned(publisher.maxTimestamp, 0xFFFFFF) > 0,
                "timestamps past the 3-byte field: " + Integer.toUnsignedString(publisher.maxTimestamp));
            // ffmpeg's FLV muxer sends the sequence headers at time 0, so the first keyframe's
            // header carries a delta of 16780000 ms: the extended field, which ffmpeg repeats on
            // each of the keyframe's continuation chunks (it is far longer than 128 bytes). The
            // decoder took those 4 bytes out of the payload, or the NALU checks above would fail.
            final Received firstKeyFrame = publisher.media.stream()
                .filter(m -> m.typeId() == MessageType.VIDEO && !isVideoSequenceHeader(m)).findFirst().orElseThrow();
            assertTrue(Integer.compareUnsigned(firstKeyFrame.timestamp(), 16_780_000) >= 0,
                Integer.toUnsignedString(firstKeyFrame.timestamp()));
            assertTrue(firstKeyFrame.payload().length > 10 * 128, "keyframe of " + firstKeyFrame.payload().length + " bytes");

            server.replay(chunkOnce(publisher, server.outChunkSize()));
            assertDecodedFrames(play(server, 1).get(0));
        }
    }

    private Session publish(final TestRtmpServer server, final List<String> extraOutputOptions) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(ffmpeg, "-nostdin", "-hide_banner",
            "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=" + FPS,
            "-f", "lavfi", "-i", "sine",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", String.valueOf(GOP),
            "-c:a", "aac", "-t", String.valueOf(PUBLISH_SECONDS)));
        command.addAll(extraOutputOptions);
        command.addAll(List.of("-f", "flv", "rtmp://127.0.0.1:" + server.port() + "/live/s1"));
        final String stderr = run(command, "publisher");

        final List<Session> sessions = server.sessions();
        assertEquals(1, sessions.size(), "one publisher connection");
        final Session publisher = sessions.get(0);
        assertTrue(publisher.awaitDone(PROCESS_TIMEOUT_SECONDS), "publisher session ended");
        assertNull(publisher.failure, "publisher session failed: " + publisher.failure + "\n" + stderr);

        assertEquals(new ConnectRequest("live", "rtmp://127.0.0.1:" + server.port() + "/live",
            publisher.connect.flashVer(), 0), publisher.connect);
        assertTrue(publisher.connect.flashVer().startsWith("FMLE/3.0"), publisher.connect.flashVer());
        assertEquals("s1", publisher.publishName);
        assertEquals(new StreamKey("127.0.0.1", "live", "s1"), StreamKey.resolve(publisher.connect, publisher.publishName));
        // ffmpeg answers our onBWDone with _checkbw whenever it reads it: leave that one out.
        final List<String> commands = new ArrayList<>(publisher.commands);
        assertTrue(commands.remove(CommandName.CHECK_BANDWIDTH), commands.toString());
        assertEquals(List.of(CommandName.CONNECT, CommandName.RELEASE_STREAM, CommandName.FC_PUBLISH,
            CommandName.CREATE_STREAM, CommandName.PUBLISH), commands.subList(0, 5));

        assertMetadata(publisher);
        assertMedia(publisher);
        return publisher;
    }

    private static void assertMetadata(final Session publisher)
    {
        assertFalse(publisher.data.isEmpty(), "metadata received");
        final Received metadata = publisher.data.get(0);
        final UnsafeBuffer body = new UnsafeBuffer(metadata.payload());
        assertTrue(DataMessage.isSetDataFrame(body, 0, body.capacity()), "ffmpeg sends @setDataFrame");
        final int at = DataMessage.metaDataOffset(body, 0, body.capacity());
        assertTrue(at > 0);
        final Amf0Reader reader = new Amf0Reader().wrap(body, at, body.capacity() - at);
        assertEquals(CommandName.ON_METADATA, reader.readString());
        final Map<?, ?> properties = (Map<?, ?>)reader.readValue();
        assertEquals(320.0, properties.get("width"));
        assertEquals(240.0, properties.get("height"));
        assertEquals(7.0, properties.get("videocodecid"));
        assertEquals(10.0, properties.get("audiocodecid"));
        assertFalse(reader.hasRemaining());
    }

    private static void assertMedia(final Session publisher)
    {
        final List<Received> video = new ArrayList<>();
        final List<Received> audio = new ArrayList<>();
        for (final Received message : publisher.media)
        {
            assertEquals(TestRtmpServer.MESSAGE_STREAM_ID, message.streamId());
            (message.typeId() == MessageType.VIDEO ? video : audio).add(message);
        }
        assertFalse(video.isEmpty());
        assertFalse(audio.isEmpty());
        assertTrue(isVideoSequenceHeader(video.get(0)), "the first video message is the AVC sequence header");
        assertTrue(isAudioSequenceHeader(audio.get(0)), "the first audio message is the AAC sequence header");

        // ffmpeg's FLV muxer ends the stream with an AVC end-of-sequence packet.
        final Received last = video.get(video.size() - 1);
        assertEquals(VideoTag.AVC_END_OF_SEQUENCE, VideoTag.packetType(new UnsafeBuffer(last.payload()), 0, last.payload().length));
        final List<Integer> keyFrames = new ArrayList<>();
        int frames = 0;
        int previous = video.get(0).timestamp();
        for (final Received message : video.subList(1, video.size() - 1))
        {
            assertFalse(isVideoSequenceHeader(message));
            final UnsafeBuffer body = new UnsafeBuffer(message.payload());
            assertEquals(VideoTag.CODEC_AVC, VideoTag.codecId(body, 0, body.capacity()));
            assertEquals(VideoTag.AVC_NALU, VideoTag.packetType(body, 0, body.capacity()));
            if (VideoTag.isKeyFrame(body, 0, body.capacity()))
            {
                keyFrames.add(frames);
            }
            assertTrue(message.timestamp() - previous >= 0, "video timestamps never go back");
            previous = message.timestamp();
            frames++;
        }
        assertEquals(PUBLISH_SECONDS * FPS, frames, "frames published");
        final List<Integer> expected = new ArrayList<>();
        for (int frame = 0; frame < frames; frame += GOP)
        {
            expected.add(frame);
        }
        assertEquals(expected, keyFrames, "a keyframe every " + GOP + " frames");
        assertEquals((PUBLISH_SECONDS * FPS - 1) * 1000 / FPS, video.get(video.size() - 2).timestamp() - video.get(1).timestamp(),
            "40 ms a frame");
        for (final Received message : audio.subList(1, audio.size()))
        {
            assertFalse(isAudioSequenceHeader(message));
            assertEquals(AudioTag.SOUND_FORMAT_AAC, AudioTag.soundFormat(new UnsafeBuffer(message.payload()), 0, 2));
        }
    }

    /**
     * Chunk the captured stream once, as a relay does: metadata (without @setDataFrame), then media
     * in arrival order, each with the stateless encoder on its own chunk stream. These bytes go to
     * every player unchanged.
     */
    private static byte[] chunkOnce(final Session publisher, final int chunkSize)
    {
        final ChunkEncoder shared = ChunkEncoder.stateless(chunkSize);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1 << 20);
        int length = 0;
        final Received metadata = publisher.data.get(0);
        final UnsafeBuffer meta = new UnsafeBuffer(metadata.payload());
        final int at = DataMessage.metaDataOffset(meta, 0, meta.capacity());
        length += shared.encode(out, length, TestRtmpServer.DATA_CSID, metadata.timestamp(), MessageType.AMF0_DATA,
            TestRtmpServer.MESSAGE_STREAM_ID, meta, at, meta.capacity() - at);
        for (final Received message : publisher.media)
        {
            final int csid = message.typeId() == MessageType.VIDEO ? TestRtmpServer.VIDEO_CSID : TestRtmpServer.AUDIO_CSID;
            final UnsafeBuffer body = new UnsafeBuffer(message.payload());
            final int expected = ChunkEncoder.encodedLength(chunkSize, csid, message.timestamp(), body.capacity());
            final int written = shared.encode(out, length, csid, message.timestamp(), message.typeId(),
                TestRtmpServer.MESSAGE_STREAM_ID, body, 0, body.capacity());
            assertEquals(expected, written, "encodedLength is exact");
            length += written;
        }
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }

    /** Start the players together, wait for all of them, return each one's stderr. */
    private List<String> play(final TestRtmpServer server, final int count) throws Exception
    {
        final List<Process> processes = new ArrayList<>();
        final List<Path> logs = new ArrayList<>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final Path log = Files.createTempFile("ffmpeg-player-", ".log");
                logs.add(log);
                processes.add(new ProcessBuilder(ffmpeg, "-nostdin", "-hide_banner",
                    "-i", "rtmp://127.0.0.1:" + server.port() + "/live/s1", "-t", "2", "-f", "null", "-")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            final List<String> outputs = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                outputs.add(await(processes.get(i), logs.get(i), "player " + i));
            }
            return outputs;
        }
        finally
        {
            for (final Process process : processes)
            {
                process.destroyForcibly();
            }
            for (final Path log : logs)
            {
                Files.deleteIfExists(log);
            }
        }
    }

    private static String run(final List<String> command, final String role) throws Exception
    {
        final Path log = Files.createTempFile("ffmpeg-" + role + "-", ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            return await(process, log, role);
        }
        finally
        {
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** Wait for ffmpeg within the bound; on timeout kill it by its handle and fail with its output. */
    private static String await(final Process process, final Path log, final String role) throws Exception
    {
        final boolean exited = process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        final String output = read(log);
        assertTrue(exited, "ffmpeg " + role + " did not finish within " + PROCESS_TIMEOUT_SECONDS + " s:\n" + output);
        assertEquals(0, process.exitValue(), "ffmpeg " + role + " exit status:\n" + output);
        return output;
    }

    private static String read(final Path log) throws IOException
    {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private static void assertDecodedFrames(final String stderr)
    {
        assertTrue(stderr.contains("Video: h264"), stderr);
        assertTrue(stderr.contains("Audio: aac"), stderr);
        final Matcher matcher = FRAMES.matcher(stderr);
        int frames = -1;
        while (matcher.find())
        {
            frames = Integer.parseInt(matcher.group(1));
        }
        // -t 2 at 25 fps: 50 frames; the first may be dropped by the null muxer's timing.
        assertTrue(frames >= 2 * FPS - 2, "frames decoded: " + frames + "\n" + stderr);
        assertFalse(stderr.contains("Error"), stderr);
    }

    private static boolean isVideoSequenceHeader(final Received message)
    {
        return VideoTag.isSequenceHeader(new UnsafeBuffer(message.payload()), 0, message.payload().length);
    }

    private static boolean isAudioSequenceHeader(final Received message)
    {
        return AudioTag.isSequenceHeader(new UnsafeBuffer(message.payload()), 0, message.payload().length);
    }
}
