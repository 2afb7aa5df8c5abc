package dev.mpserver.master.it;

import static dev.mpserver.master.it.RtmpServers.awaitError;
import static dev.mpserver.master.it.RtmpServers.publisher;
import static dev.mpserver.master.it.RtmpServers.total;
import static dev.mpserver.master.it.RtmpServers.workerPid;
import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.testkit.RtmpTestClient;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RTMP clients built on the protocol codecs against a real mpserver with 2 workers: where a
 * stream's clients meet, what they are told, the GOP cache, slow and idle players, and bad input,
 * which ends its own client only.
 */
class RtmpSessionTest
{
    private static final int FRAME_MS = 40;
    private static ServerProcess server;

    @BeforeAll
    static void start() throws IOException
    {
        server = ServerProcess.start("--workers", "2", "--idle-timeout", "4s", "--output-cap", "262144");
    }

    @AfterAll
    static void stop()
    {
        server.close();
    }

    @Test
    void aStreamsPublisherAndPlayersMeetOnOneWorkerWhereverTheyWereAccepted() throws Exception
    {
        final List<RtmpTestClient> clients = new ArrayList<>();
        try
        {
            for (int v = 1; v <= 4; v++)
            {
                final String vhost = "meet" + v + ".test";
                final RtmpTestClient publisher = publisher(server, vhost, "s");
                clients.add(publisher);
                final int pid = RtmpServers.startedPid(publisher);
                assertTrue(server.workerPids().contains((long)pid), "workerPid " + pid + " is a worker of this server");
                for (int p = 0; p < 2; p++)
                {
                    final RtmpTestClient player = RtmpTestClient.open(server.port());
                    clients.add(player);
                    player.connect("live", "rtmp://" + vhost + "/live");
                    final RtmpCommand started = player.play("s");
                    assertEquals(StatusCode.PLAY_START, started.infoString("code"));
                    assertEquals(pid, workerPid(started), "the player is served by its publisher's worker");
                    assertTrue(started.infoString("description").endsWith(" (mpserver worker " + pid + ")"));
                    final RtmpTestClient.Message keyFrame = player.await(0, RtmpTestClient.Message::isVideoKeyFrame);
                    assertEquals(0, keyFrame.frameNumber(), "at once, from the GOP cache");
                    assertTrue(player.received().stream().anyMatch(m -> m.typeId() == MessageType.AMF0_DATA &&
                        new String(m.payload(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("onMetaData")), "metadata first");
                }
                publisher.video(FRAME_MS, 1, false, 800);
                for (final RtmpTestClient player : clients.subList(clients.size() - 2, clients.size()))
                {
                    assertEquals(1, player.await(0, m -> m.typeId() == MessageType.VIDEO && m.frameNumber() == 1).frameNumber());
                }
            }
            assertTrue(total(server, WorkerCounter.RTMP_STATE_HANDOFFS) >= 4, "each vhost's first client went through the master");
        }
        finally
        {
            closeAll(clients);
        }
    }

    @Test
    void aSecondPublisherOfAStreamGetsBadNameAndIsClosed() throws Exception
    {
        try (RtmpTestClient first = publisher(server, "badname.test", "s"); RtmpTestClient second = RtmpTestClient.open(server.port()))
        {
            final long refused = total(server, WorkerCounter.RTMP_PUBLISH_REFUSED);
            second.connect("live", "rtmp://badname.test/live");
            final RtmpCommand status = second.publish("s");
            assertEquals(StatusCode.PUBLISH_BAD_NAME, status.infoString("code"), status.toString());
            assertEquals(StatusCode.LEVEL_ERROR, status.infoString("level"));
            assertTrue(second.awaitEnd(5_000), "then the server closes it");
            assertEquals(refused + 1, total(server, WorkerCounter.RTMP_PUBLISH_REFUSED));
            first.video(FRAME_MS, 1, false, 500); // the first publisher goes on
        }
    }

    @Test
    void playersAreToldWhenThePublisherLeavesAndReceiveTheNextOne() throws Exception
    {
        try (RtmpTestClient player = RtmpTestClient.open(server.port()))
        {
            player.connect("live", "rtmp://republish.test/live");
            assertEquals(StatusCode.PLAY_START, player.play("s").infoString("code"), "a stream may be played before it is published");
            try (RtmpTestClient publisher = publisher(server, "republish.test", "s"))
            {
                assertEquals(StatusCode.PLAY_PUBLISH_NOTIFY, player.awaitStatus().infoString("code"));
                assertEquals(0, player.await(0, RtmpTestClient.Message::isVideoKeyFrame).frameNumber());
            }
            assertEquals(StatusCode.PLAY_UNPUBLISH_NOTIFY, player.awaitStatus().infoString("code"), "the publisher left");
            final int seen = player.received().size();
            try (RtmpTestClient next = publisher(server, "republish.test", "s"))
            {
                assertEquals(RtmpServers.startedPid(player), RtmpServers.startedPid(next), "the shard stayed with the waiting player");
                assertEquals(StatusCode.PLAY_PUBLISH_NOTIFY, player.awaitStatus().infoString("code"));
                player.await(seen, m -> m.typeId() == MessageType.VIDEO && !m.isVideoKeyFrame() && m.payload()[1] == 0);
                assertEquals(0, player.await(seen, RtmpTestClient.Message::isVideoKeyFrame).frameNumber(),
                    "the new publisher's sequence header and keyframe");
            }
        }
    }

    /**
     * --idle-timeout 4s: a player waiting for a publisher sends and receives nothing and is ended;
     * a player receiving media (and sending nothing back) is active through its progress and stays.
     */
    @Test
    void theIdleTimeoutEndsAWaitingPlayerButNotOneThatReceivesMedia() throws Exception
    {
        try (RtmpTestClient waiting = RtmpTestClient.open(server.port());
             RtmpTestClient publisher = publisher(server, "idle.test", "s");
             RtmpTestClient watching = RtmpTestClient.open(server.port()))
        {
            waiting.connect("live", "rtmp://idle.test/live");
            waiting.play("nobody-publishes-this");
            watching.connect("live", "rtmp://idle.test/live");
            watching.play("s");
            final long deadline = System.nanoTime() + 7_000_000_000L;
            int frame = 1;
            while (System.nanoTime() < deadline)
            {
                publisher.video(frame * FRAME_MS, frame, frame % 25 == 0, 400);
                frame++;
                Thread.sleep(100); // the scenario: a publisher at 10 frames a second
            }
            final RtmpCommand timedOut = awaitError(waiting);
            assertEquals("NetConnection.Connect.IdleTimeout", timedOut.infoString("code"), timedOut.toString());
            assertTrue(waiting.awaitEnd(3_000));
            final int last = frame - 1;
            assertEquals(last, watching.await(0, m -> m.typeId() == MessageType.VIDEO && m.frameNumber() == last).frameNumber(),
                "the watching player still gets frames after 7 s of sending nothing");
            assertFalse(watching.isEnded());
        }
    }

    /**
     * --output-cap 256 KiB: a player that stops reading falls over half of it (once the kernel's
     * buffers are full) and skips media until
     * a keyframe; one that reads gets every frame. When the slow one reads again, every gap in what
     * it got ends at a keyframe.
     */
    @Test
    void aSlowPlayerSkipsToTheNextKeyFrameWhileOthersGetEveryFrame() throws Exception
    {
        try (RtmpTestClient publisher = publisher(server, "slow.test", "s");
             RtmpTestClient fast = RtmpTestClient.open(server.port());
             RtmpTestClient slow = RtmpTestClient.open(server.port(), 4096))
        {
            final long dropped = total(server, WorkerCounter.RTMP_DROPPED_FRAMES);
            fast.connect("live", "rtmp://slow.test/live");
            fast.play("s");
            slow.connect("live", "rtmp://slow.test/live");
            slow.play("s");
            // The kernel keeps up to tcp_wmem's 4 MiB for a socket before the server's own buffer fills.
            final int frames = 150;
            for (int n = 1; n <= frames; n++)
            {
                publisher.video(n * FRAME_MS, n, n % 10 == 0, 64_000);
                fast.drain(1); // the fast player keeps up; the slow one reads nothing
            }
            assertEquals(frames, fast.await(0, m -> m.typeId() == MessageType.VIDEO && m.frameNumber() == frames).frameNumber());
            assertTrue(eventually(3_000, () -> total(server, WorkerCounter.RTMP_DROPPED_FRAMES) > dropped), "frames were dropped");
            assertEquals(everyFrame(frames), videoFrames(fast), "the fast player got every frame, in order");

            slow.drain(1_000); // what the kernel and the server kept for it
            final int last = frames + 10;
            publisher.video(last * FRAME_MS, last, true, 1000); // a keyframe to resume at
            slow.await(0, m -> m.typeId() == MessageType.VIDEO && m.frameNumber() == last);
            final List<Integer> got = videoFrames(slow);
            assertTrue(got.size() < frames, "the slow player skipped frames: " + got);
            for (int i = 1; i < got.size(); i++)
            {
                if (got.get(i) != got.get(i - 1) + 1)
                {
                    assertEquals(0, got.get(i) % 10, "after a gap the slow player resumes at a keyframe: " + got);
                }
            }
        }
    }

    @Test
    void badInputEndsItsOwnClientOnlyAndIsCounted() throws Exception
    {
        final List<Long> workers = server.workerPids();
        final long handshakeErrors = total(server, WorkerCounter.RTMP_HANDSHAKE_ERRORS);
        final long protocolErrors = total(server, WorkerCounter.RTMP_PROTOCOL_ERRORS);
        final long unknown = total(server, WorkerCounter.RTMP_UNKNOWN_COMMANDS);
        try (RtmpTestClient bystander = publisher(server, "bystander.test", "s"))
        {
            // RTMPE (C0 = 6): a clean close, not a reset, and nothing written.
            try (Socket rtmpe = new Socket(InetAddress.getLoopbackAddress(), server.port()))
            {
                rtmpe.setSoTimeout(5_000);
                final byte[] c0c1 = new byte[Handshake.VERSION_AND_PACKET_LENGTH];
                c0c1[0] = 6;
                rtmpe.getOutputStream().write(c0c1);
                final InputStream in = rtmpe.getInputStream();
                assertEquals(-1, in.read(), "closed without a byte");
            }
            // A chunk stream that starts with a fmt 3 header refers to nothing.
            try (RtmpTestClient client = RtmpTestClient.open(server.port()))
            {
                client.handshake();
                client.sendRaw(new byte[] {(byte)0xC3, 1, 2, 3});
                assertTrue(awaitError(client).infoString("description").contains("fmt 3"));
                assertTrue(client.awaitEnd(5_000));
            }
            // A connect whose AMF0 string runs past the message.
            try (RtmpTestClient client = RtmpTestClient.open(server.port()))
            {
                client.handshake();
                client.sendMessage(3, MessageType.AMF0_COMMAND, 0, new byte[] {2, 0, 40, 'c', 'o', 'n'});
                assertTrue(awaitError(client).infoString("description").contains("malformed command"));
                assertTrue(client.awaitEnd(5_000));
            }
            // A message announced at 16 MiB - 1: over the 4 MiB bound before a byte of it is taken.
            try (RtmpTestClient client = RtmpTestClient.open(server.port()))
            {
                client.handshake();
                client.sendRaw(new byte[] {6, 0, 0, 0, (byte)0xFF, (byte)0xFF, (byte)0xFF, 9, 1, 0, 0, 0});
                assertTrue(awaitError(client).infoString("description").contains("over the limit"));
                assertTrue(client.awaitEnd(5_000));
            }
            // publish before connect.
            try (RtmpTestClient client = RtmpTestClient.open(server.port()))
            {
                client.handshake();
                client.command(CommandName.PUBLISH, 2, "s", "live");
                assertTrue(awaitError(client).infoString("description").contains("before connect"));
                assertTrue(client.awaitEnd(5_000));
            }
            // An unknown command with a transaction id is answered with _error; the session goes on.
            try (RtmpTestClient client = RtmpTestClient.open(server.port()))
            {
                client.connect("live", "rtmp://bystander.test/live");
                client.command("noSuchCommand", 42);
                final RtmpCommand error = client.awaitAnswer(42);
                assertEquals(CommandName.ERROR, error.name());
                assertEquals(1, client.createStream(), "and the session goes on");
            }
            // Clients that reset right after connect, while their hand-off is on its way.
            for (int i = 0; i < 10; i++)
            {
                final RtmpTestClient client = RtmpTestClient.open(server.port());
                client.handshake();
                client.sendConnect("live", "rtmp://reset" + i + ".test/live");
                client.socket().setSoLinger(true, 0);
                client.close();
            }
            bystander.video(FRAME_MS, 1, false, 500);
            try (RtmpTestClient player = RtmpTestClient.open(server.port()))
            {
                player.connect("live", "rtmp://bystander.test/live");
                assertEquals(StatusCode.PLAY_START, player.play("s").infoString("code"), "the server serves on");
                player.await(0, RtmpTestClient.Message::isVideoKeyFrame);
            }
        }
        assertEquals(handshakeErrors + 1, total(server, WorkerCounter.RTMP_HANDSHAKE_ERRORS));
        assertEquals(protocolErrors + 4, total(server, WorkerCounter.RTMP_PROTOCOL_ERRORS));
        assertEquals(unknown + 1, total(server, WorkerCounter.RTMP_UNKNOWN_COMMANDS));
        assertEquals(workers, server.workerPids(), "no worker died");
        assertEquals(0, RunDirCounters.read(server.runDir()).master(MasterCounter.CRASHES));
    }

    @Test
    void statNamesTheHotStreamsOfEachWorker() throws Exception
    {
        try (RtmpTestClient publisher = publisher(server, "hot.test", "main");
             RtmpTestClient player = RtmpTestClient.open(server.port()))
        {
            player.connect("live", "rtmp://hot.test/live");
            player.play("main");
            final int pid = RtmpServers.startedPid(publisher);
            assertTrue(eventually(5_000, () -> RtmpServers.stat(server).contains("stream hot.test/live/main")),
                RtmpServers.stat(server));
            final String table = RtmpServers.stat(server);
            assertTrue(table.matches("(?s).*w\\d+:" + pid + "\\s+stream hot\\.test/live/main\\s+1 players, published.*"), table);
            final String json = RtmpServers.stat(server, "--json");
            assertTrue(json.contains("\"kind\":\"stream\",\"key\":\"hot.test/live/main\",\"players\":1,\"publisher\":1"), json);
        }
    }

    private static List<Integer> videoFrames(final RtmpTestClient client)
    {
        final List<Integer> frames = new ArrayList<>();
        for (final RtmpTestClient.Message message : client.received())
        {
            if (message.typeId() == MessageType.VIDEO && message.payload()[1] == 1)
            {
                frames.add(message.frameNumber());
            }
        }
        return frames;
    }

    private static List<Integer> everyFrame(final int last)
    {
        final List<Integer> frames = new ArrayList<>();
        for (int n = 0; n <= last; n++)
        {
            frames.add(n);
        }
        return frames;
    }

    private static void closeAll(final List<RtmpTestClient> clients) throws IOException
    {
        for (final RtmpTestClient client : clients)
        {
            client.close();
        }
    }
}
