package dev.mpserver.worker.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Socket;

import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a full worker returns hand-offs, and that a shard it returned as empty stays returned until
 * the master says it moved, so that no client of it still on its way can split it.
 */
class WorkerReturnTest
{
    private InProcessWorker worker;

    @BeforeEach
    void start()
    {
        worker = new InProcessWorker(new WorkerConfig(0, 1, 60_000, 64 * 1024, 1_000, 1_000, null));
    }

    @AfterEach
    void stop() throws Exception
    {
        worker.close();
    }

    @Test
    void aShardReturnedAsEmptyStaysReturnedUntilShardMoved() throws Exception
    {
        final Socket first = worker.handOver(1, TestClient.PING);
        expectPingReply(first);

        worker.handOver(2, TestClient.PING);
        final InProcessWorker.Frame returned = worker.awaitFrame(ChannelCommand.RETURN);
        assertEquals(2, returned.shardId(), "the new shard's client comes back");
        assertEquals(0, returned.load(), "with no other client of it here: the master may move the shard");

        worker.handOver(1, TestClient.PING);
        final InProcessWorker.Frame own = worker.awaitFrame(ChannelCommand.RETURN);
        assertEquals(1, own.shardId());
        assertEquals(1, own.load(), "a shard with a client here: moving it would split it");

        first.close();
        InProcessWorker.Frame load;
        do
        {
            load = worker.awaitFrame(ChannelCommand.LOAD);
        }
        while (load.load() != 0);

        worker.handOver(2, TestClient.PING);
        assertEquals(2, worker.awaitFrame(ChannelCommand.RETURN).shardId(), "room again, but shard 2 may be served elsewhere by now");

        worker.send(ChannelCommand.SHARD_MOVED, 2);
        expectPingReply(worker.handOver(2, TestClient.PING));
    }

    private static void expectPingReply(final Socket client) throws IOException
    {
        assertArrayEquals(WireProtocol.PING_REPLY, client.getInputStream().readNBytes(WireProtocol.PING_REPLY.length));
    }
}
