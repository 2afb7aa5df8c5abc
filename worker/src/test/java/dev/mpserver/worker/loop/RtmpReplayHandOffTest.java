package dev.mpserver.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.RtmpSettings;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.ShardBy;
import dev.mpserver.protocol.rtmp.ShardHash;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.testkit.RtmpTestClient;
import dev.mpserver.worker.session.rtmp.RtmpProtocol;
import org.junit.jupiter.api.Test;

/**
 * The replay hand-off between two real worker loops in this JVM, the test playing the master: the
 * worker that accepted an RTMP client exports its session state with the fd, the other resumes it,
 * and the client sees one seamless session (each answer exactly once, then live media).
 */
class RtmpReplayHandOffTest
{
    private static final long FUTURE_SECONDS = 10;

    @Test
    void aClientHandedOffAtConnectIsAnsweredOnceByTheOwner() throws Exception
    {
        final WorkerConfig config = config(ShardBy.VHOST);
        try (InProcessWorker accepting = new InProcessWorker(config); InProcessWorker owner = new InProcessWorker(config);
             RtmpTestClient publisher = RtmpTestClient.open(accepting.port()))
        {
            publisher.handshake();
            final double connect = publisher.sendConnect("live", "rtmp://V1.example:1935/live");
            final InProcessWorker.Frame handOff = accepting.awaitFrame(ChannelCommand.HANDOFF);
            assertEquals(ShardHash.of("v1.example"), handOff.shardId(), "the vhost is the tcUrl's host, in lower case");
            assertEquals(RtmpProtocol.ID, handOff.payload()[0], "the payload names the RTMP protocol");
            owner.handOverFd(handOff.shardId(), handOff.fd(), handOff.payload());

            final RtmpCommand answer = publisher.awaitAnswer(connect);
            assertEquals(CommandName.RESULT, answer.name());
            assertEquals(StatusCode.CONNECT_SUCCESS, answer.infoString("code"));
            final RtmpCommand started = publisher.publish("s1");
            assertEquals(StatusCode.PUBLISH_START, started.infoString("code"), started.toString());
            assertNotNull(RtmpTestClient.infoProperty(started, StatusCode.WORKER_PID));
            assertTrue(started.infoString("description").endsWith(" (mpserver worker " + ProcessHandle.current().pid() + ")"));

            assertControlSequenceOnce(publisher);
            assertEquals(1, accepting.counters().get(WorkerCounter.RTMP_STATE_HANDOFFS));
            assertEquals(1, owner.counters().get(WorkerCounter.RTMP_STATE_RESUMED));
            assertEquals(1, owner.counters().get(WorkerCounter.HANDOFFS_IN));
        }
    }

    /**
     * With --shard-by stream the accepting worker answers connect, releaseStream, FCPublish and
     * createStream itself; the publish that names the stream, and the media pipelined behind it, go
     * with the hand-off. The owner replays them: its answers up to publish are dropped (the client
     * has them), Publish.Start is new, and the media behind publish reach its GOP cache.
     */
    @Test
    void aPublisherHandedOffAtPublishKeepsItsSessionAndItsPipelinedMedia() throws Exception
    {
        final WorkerConfig config = config(ShardBy.STREAM);
        try (InProcessWorker accepting = new InProcessWorker(config); InProcessWorker owner = new InProcessWorker(config);
             RtmpTestClient publisher = RtmpTestClient.open(accepting.port());
             RtmpTestClient player = RtmpTestClient.open(owner.port()))
        {
            final RtmpCommand connected = publisher.connect("live", "rtmp://127.0.0.1/live");
            assertEquals(StatusCode.CONNECT_SUCCESS, connected.infoString("code"), "answered where accepted: no key yet");
            final CompletableFuture<RtmpCommand> published = CompletableFuture.supplyAsync(() -> call(() -> publisher.publishPipelined("s1")));
            final InProcessWorker.Frame handOff = accepting.awaitFrame(ChannelCommand.HANDOFF);
            assertEquals(ShardHash.of("127.0.0.1/live/s1"), handOff.shardId());
            owner.handOverFd(handOff.shardId(), handOff.fd(), handOff.payload());
            final RtmpCommand started = published.get(FUTURE_SECONDS, TimeUnit.SECONDS);
            assertEquals(StatusCode.PUBLISH_START, started.infoString("code"), started.toString());
            assertControlSequenceOnce(publisher);
            assertEquals(List.of(1.0, 2.0, 4.0), answeredTransactions(publisher), "connect, releaseStream, createStream: once each");

            // The player reaches the owner's shard by its own hand-off (the owner has the shard now).
            assertEquals(StatusCode.CONNECT_SUCCESS, player.connect("live", "rtmp://127.0.0.1/live").infoString("code"));
            assertEquals(StatusCode.PLAY_START, player.play("s1").infoString("code"));
            final RtmpTestClient.Message keyFrame = player.await(0, RtmpTestClient.Message::isVideoKeyFrame);
            assertEquals(0, keyFrame.frameNumber(), "the keyframe sent behind publish, from the GOP cache");
            publisher.video(40, 1, false, 500);
            final RtmpTestClient.Message next = player.await(player.received().indexOf(keyFrame) + 1,
                m -> m.typeId() == MessageType.VIDEO);
            assertEquals(1, next.frameNumber(), "live frames follow");
            assertEquals(0, owner.counters().get(WorkerCounter.RTMP_STATE_HANDOFFS));
            assertEquals(1, owner.counters().get(WorkerCounter.RTMP_STATE_RESUMED));
        }
    }

    @Test
    void moreStateThanAHandOffCarriesIsRefusedWithAnRtmpError() throws Exception
    {
        try (InProcessWorker accepting = new InProcessWorker(config(ShardBy.STREAM));
             RtmpTestClient client = RtmpTestClient.open(accepting.port()))
        {
            assertEquals(StatusCode.CONNECT_SUCCESS, client.connect("live", "rtmp://127.0.0.1/live").infoString("code"));
            final String filler = "x".repeat(1000);
            for (int i = 0; i < 40; i++)
            {
                client.command("noSuchCommand", 0, filler); // no transaction id: ignored, but recorded
            }
            final RtmpTestClient.Message error = client.await(0, m -> m.isCommand() &&
                StatusCode.LEVEL_ERROR.equals(m.command().infoString("level")));
            assertTrue(error.command().infoString("description").contains("before the stream was named"), error.command().toString());
            assertTrue(client.awaitEnd(5_000), "then the connection ends");
            assertEquals(1, accepting.counters().get(WorkerCounter.RTMP_STATE_TOO_LARGE));
            assertEquals(0, accepting.counters().get(WorkerCounter.HANDOFFS_OUT));
        }
    }

    @Test
    void aHandOverWhoseStateIsNotRtmpsIsRefused() throws Exception
    {
        try (InProcessWorker owner = new InProcessWorker(config(ShardBy.VHOST)))
        {
            final java.net.Socket client = owner.handOverWithState(9, new byte[] {RtmpProtocol.ID, 7, 7, 7});
            client.setSoTimeout(5_000);
            assertEquals(-1, client.getInputStream().read(), "closed without a byte");
            assertEquals(1, owner.counters().get(WorkerCounter.RTMP_RESUME_ERRORS));
        }
    }

    private static void assertControlSequenceOnce(final RtmpTestClient client)
    {
        int windowAckSize = 0;
        int peerBandwidth = 0;
        int chunkSize = 0;
        for (final RtmpTestClient.Message message : client.received())
        {
            windowAckSize += message.typeId() == MessageType.WINDOW_ACK_SIZE ? 1 : 0;
            peerBandwidth += message.typeId() == MessageType.SET_PEER_BANDWIDTH ? 1 : 0;
            chunkSize += message.typeId() == MessageType.SET_CHUNK_SIZE ? 1 : 0;
        }
        assertEquals(List.of(1, 1, 1), List.of(windowAckSize, peerBandwidth, chunkSize),
            "Window Ack Size, Set Peer Bandwidth, Set Chunk Size: once each");
    }

    private static List<Double> answeredTransactions(final RtmpTestClient client)
    {
        final List<Double> transactions = new ArrayList<>();
        for (final RtmpCommand command : client.commands())
        {
            if (CommandName.RESULT.equals(command.name()))
            {
                transactions.add(command.transactionId());
            }
        }
        return transactions;
    }

    private static WorkerConfig config(final ShardBy shardBy)
    {
        return new WorkerConfig(0, 100, 60_000, 1024 * 1024, 1_000, 1_000, null,
            new RtmpSettings(shardBy, RtmpSettings.DEFAULT_GOP_CACHE_BYTES, RtmpSettings.DEFAULT_GOP_CACHE_FRAMES,
                RtmpSettings.DEFAULT_GOP_CACHE_TOTAL_BYTES));
    }

    private interface IoCall<T>
    {
        T call() throws Exception;
    }

    private static <T> T call(final IoCall<T> call)
    {
        try
        {
            return call.call();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
