package dev.mpserver.master.it;

import static dev.mpserver.master.it.RtmpServers.startedPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.protocol.launch.Executables;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.RtmpTestClient;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end with real ffmpeg (Debian's; .ci/run installs it): x264 + AAC publishers and ffmpeg
 * players of several streams on 2 and 4 workers. Every player must decode frames and be served by
 * its publisher's worker, wherever its connection was accepted: the worker that serves a stream
 * names it with its players in its hot keys, and a test-client player of each stream checks the
 * workerPid its Play.Start names. Small and short (320x240, ultrafast, a few seconds) for 2 cores.
 */
class RtmpFfmpegTest
{
    private static final String PUBLISH_SECONDS = "40";
    private static final String PLAY_SECONDS = "4";
    private static final int FPS = 25;
    private static final long SCALE = Long.getLong("mpserver.test.timeout.scale", 1);
    private static final long WAIT_MILLIS = 30_000 * SCALE;
    private static final Pattern FRAMES = Pattern.compile("frame=\\s*(\\d+)");

    private static String ffmpeg;

    @BeforeAll
    static void findFfmpeg()
    {
        final Path found = Executables.find("ffmpeg");
        Assumptions.assumeTrue(null != found, "ffmpeg is not installed (Debian: apt-get install ffmpeg); skipping");
        ffmpeg = found.toString();
    }

    @Test
    void everyPlayerDecodesFramesFromItsPublishersWorkerOnTwoWorkers() throws Exception
    {
        publishAndPlay(2, 2, 2);
    }

    @Test
    void everyPlayerDecodesFramesFromItsPublishersWorkerOnFourWorkers() throws Exception
    {
        publishAndPlay(4, 3, 2);
    }

    /** kill -9 of a stream's worker: once the publisher connects again, new players are served by the stream's new worker. */
    @Test
    void afterKill9OfAStreamsWorkerTheRepublishedStreamIsServedByItsNewWorker() throws Exception
    {
        final List<Ffmpeg> processes = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final String url = url(server, "phoenix");
            final Ffmpeg first = publisher(url);
            processes.add(first);
            final int killed;
            try (RtmpTestClient player = playing(server, "phoenix"))
            {
                killed = startedPid(player);
                Posix.checked("kill", Posix.process().kill(killed, Signals.SIGKILL));
                assertTrue(player.awaitEnd(10_000), "the killed worker's player lost its connection");
            }
            assertTrue(first.process.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS), "the publisher of the killed worker gives up");

            processes.add(publisher(url));
            try (RtmpTestClient player = playing(server, "phoenix"))
            {
                final int pid = startedPid(player);
                assertNotEquals(killed, pid);
                assertTrue(server.workerPids().contains((long)pid), pid + " is a live worker: " + server.workerPids());
                final Ffmpeg ffmpegPlayer = player(url);
                processes.add(ffmpegPlayer);
                assertDecodedFrames(ffmpegPlayer);
            }
        }
        finally
        {
            stopAll(processes);
        }
    }

    private void publishAndPlay(final int workers, final int streams, final int playersPerStream) throws Exception
    {
        final List<Ffmpeg> processes = new ArrayList<>();
        final List<RtmpTestClient> clients = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start("--workers", Integer.toString(workers)))
        {
            for (int s = 0; s < streams; s++)
            {
                processes.add(publisher(url(server, "v" + s)));
            }
            final Map<String, Integer> workerOf = new HashMap<>();
            for (int s = 0; s < streams; s++)
            {
                final RtmpTestClient watcher = playing(server, "v" + s);
                clients.add(watcher);
                workerOf.put(key("v" + s), startedPid(watcher));
            }
            final List<Ffmpeg> players = new ArrayList<>();
            for (int s = 0; s < streams; s++)
            {
                for (int p = 0; p < playersPerStream; p++)
                {
                    players.add(player(url(server, "v" + s)));
                }
            }
            processes.addAll(players);
            // While they play: each stream is served by one worker, its publisher's, with every player there.
            assertTrue(Eventually.eventually(WAIT_MILLIS, () -> allMet(server, workerOf, playersPerStream + 1)),
                "every stream's players on its publisher's worker " + workerOf + ": " + hotStreams(server));
            for (final Ffmpeg player : players)
            {
                assertDecodedFrames(player);
            }
        }
        finally
        {
            stopAll(processes);
            for (final RtmpTestClient client : clients)
            {
                client.close();
            }
        }
    }

    /** True once every stream is named by exactly one worker, the one its Play.Start named, published, with all its players. */
    private static boolean allMet(final ServerProcess server, final Map<String, Integer> workerOf, final int players)
    {
        final List<RtmpServers.HotStream> hot = hotStreams(server);
        for (final Map.Entry<String, Integer> stream : workerOf.entrySet())
        {
            final List<RtmpServers.HotStream> named = hot.stream().filter(h -> h.key().equals(stream.getKey())).toList();
            if (named.size() != 1 || named.get(0).workerPid() != stream.getValue() || !named.get(0).published() ||
                named.get(0).players() != players)
            {
                return false;
            }
        }
        return true;
    }

    private static List<RtmpServers.HotStream> hotStreams(final ServerProcess server)
    {
        try
        {
            return RtmpServers.hotStreams(server);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A test-client player of {@code vhost}'s stream, once its publisher is there (a keyframe arrived). */
    private static RtmpTestClient playing(final ServerProcess server, final String vhost) throws IOException
    {
        final RtmpTestClient player = RtmpTestClient.open(server.port());
        player.timeout((int)WAIT_MILLIS); // ffmpeg may still be starting: the player waits for its PublishNotify
        player.connect("live", "rtmp://127.0.0.1:" + server.port() + "/live");
        assertEquals(StatusCode.PLAY_START, player.play("stream?vhost=" + vhost).infoString("code"));
        player.await(0, RtmpTestClient.Message::isVideoKeyFrame);
        return player;
    }

    private static String url(final ServerProcess server, final String vhost)
    {
        return "rtmp://127.0.0.1:" + server.port() + "/live/stream?vhost=" + vhost;
    }

    private static String key(final String vhost)
    {
        return vhost + "/live/stream";
    }

    private static Ffmpeg publisher(final String url) throws IOException
    {
        return Ffmpeg.start("publisher", ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=" + FPS, "-f", "lavfi", "-i", "sine",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", Integer.toString(FPS), "-c:a", "aac",
            "-t", PUBLISH_SECONDS, "-f", "flv", url);
    }

    private static Ffmpeg player(final String url) throws IOException
    {
        return Ffmpeg.start("player", ffmpeg, "-nostdin", "-hide_banner", "-i", url, "-t", PLAY_SECONDS, "-f", "null", "-");
    }

    private static void assertDecodedFrames(final Ffmpeg player) throws Exception
    {
        final boolean exited = player.process.waitFor(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        final String output = player.output();
        assertTrue(exited, "ffmpeg player did not finish:\n" + output);
        assertEquals(0, player.process.exitValue(), "ffmpeg player's exit status:\n" + output);
        assertTrue(output.contains("Video: h264"), output);
        final Matcher matcher = FRAMES.matcher(output);
        int frames = -1;
        while (matcher.find())
        {
            frames = Integer.parseInt(matcher.group(1));
        }
        assertTrue(frames >= FPS * Integer.parseInt(PLAY_SECONDS) / 2, "frames decoded: " + frames + "\n" + output);
    }

    private static void stopAll(final List<Ffmpeg> processes) throws IOException
    {
        for (final Ffmpeg process : processes)
        {
            process.stop();
        }
    }

    /** One ffmpeg process, its output in a file, stopped by its handle (its pid). */
    private record Ffmpeg(Process process, Path log)
    {
        static Ffmpeg start(final String role, final String... command) throws IOException
        {
            final Path log = Files.createTempFile("ffmpeg-" + role + "-", ".log");
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new Ffmpeg(process, log);
        }

        String output() throws IOException
        {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        void stop() throws IOException
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(log);
        }
    }
}
