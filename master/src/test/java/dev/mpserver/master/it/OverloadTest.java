package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.FdBaseline;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/**
 * Past capacity: a new shard moves to a worker with room (or a new one) instead of being
 * refused, a shard is never split, and every client that is refused reads why — its {@code 'E'}
 * and then an orderly end of stream, never a reset — even one that sent more than it could be
 * answered and never reads.
 */
class OverloadTest
{
    private static final int PING_REPLY = WireProtocol.PING_REPLY.length;

    @Test
    void everyRefusedClientReadsServerFullWhileTheOthersAreServed() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--max-workers", "2", "--max-clients", "50"))
        {
            final int clients = 400;
            final List<TestClient> open = new ArrayList<>();
            int served = 0;
            int refused = 0;
            try
            {
                for (int shard = 0; shard < clients; shard++)
                {
                    final TestClient client = new TestClient(server.port(), 10_000);
                    open.add(client);
                    // More than a refused client will ever be answered: unread, it would turn our close into a reset.
                    client.send(TestClient.control(shard), TestClient.PING, TestClient.PING, new byte[] {WireProtocol.IDENTIFY});
                }
                for (final TestClient client : open)
                {
                    final byte first = client.readExactly(1)[0];
                    if (first == WireProtocol.ERROR)
                    {
                        assertEquals(ErrorCode.SERVER_FULL.code(), client.readExactly(1)[0], "refused with E 2");
                        readRestOfError(client);
                        assertEndOfStreamNotReset(client);
                        refused++;
                    }
                    else
                    {
                        client.readExactly(PING_REPLY - 1);
                        client.expectPing();
                        assertEquals(WireProtocol.IDENTIFY, client.readExactly(1)[0]);
                        client.readExactly(WireProtocol.IDENTIFY_REPLY_LENGTH - 1);
                        served++;
                    }
                }
            }
            finally
            {
                for (final TestClient client : open)
                {
                    client.close();
                }
            }
            assertEquals(clients, served + refused, "every client answered");
            assertTrue(served <= 100 && served >= 90, "2 workers x 50 clients served, got " + served);
            final long expected = refused;
            assertTrue(eventually(3_000, () -> refusals(server) == expected), "counted as refused: " + refusals(server));
            // Lingering figures are gauges, published every 50 ms.
            assertTrue(eventually(3_000, () -> lingering(server.counters()) >= expected), "every refused client lingered");
            final RunDirCounters counters = server.counters();
            assertEquals(0, counters.master(MasterCounter.LINGER_AT_CAPACITY) + counters.total(WorkerCounter.LINGER_AT_CAPACITY));
        }
    }

    /**
     * The master believes worker 0 has room ({@code --worker-capacity} is its own figure), but the
     * worker is at {@code --max-clients}: it returns a new shard's client saying it has no other
     * client of it, and the master moves the shard to a new worker instead of refusing. A client
     * of a shard the full worker does serve is refused, not split off.
     */
    @Test
    void aReturnedNewShardIsServedByAnotherWorkerAndAFullWorkersShardIsNotSplit() throws Exception
    {
        try (ServerProcess server = ServerProcess.start(
            "--workers", "1", "--max-workers", "2", "--max-clients", "2", "--worker-capacity", "1000"))
        {
            try (TestClient a1 = new TestClient(server.port()).join(1);
                TestClient a2 = new TestClient(server.port()).join(2))
            {
                final int first = a1.identify()[0];
                assertEquals(first, a2.identify()[0], "both shards on the one worker, which is now full");
                try (TestClient moved = new TestClient(server.port()).join(3))
                {
                    final int[] identity = moved.identify();
                    assertNotEquals(first, identity[0], "the new shard went to another worker");
                    assertEquals(3, identity[2]);
                    final RunDirCounters counters = server.counters();
                    assertEquals(1, counters.master(MasterCounter.HANDOFFS_REROUTED), "moved after a RETURN");
                    assertEquals(0, counters.master(MasterCounter.REJECTED_SERVER_FULL));

                    try (TestClient sameShard = new TestClient(server.port()))
                    {
                        sameShard.send(TestClient.control(1), TestClient.PING);
                        assertEquals(ErrorCode.SERVER_FULL.code(), sameShard.expectError(), "shard 1 stays whole on its full worker");
                        assertEndOfStreamNotReset(sameShard);
                    }
                    a1.send(TestClient.PING);
                    a1.expectPing();
                    moved.send(TestClient.PING);
                    moved.expectPing();
                }
            }
        }
    }

    /** A refused client that never reads nor closes holds the master's fd only for the linger bound. */
    @Test
    void aRefusedClientThatNeverReadsIsDroppedAfterTheBoundAndFdsReturnToBaseline() throws Exception
    {
        try (ServerProcess server = ServerProcess.start(
            "--workers", "1", "--max-workers", "1", "--max-clients", "1", "--linger-timeout", "1s"))
        {
            try (TestClient served = new TestClient(server.port()).join(1))
            {
                final FdBaseline baseline = FdBaseline.take(server);
                try (TestClient refused = new TestClient(server.port(), 10_000))
                {
                    refused.send(TestClient.control(2), TestClient.PING, TestClient.PING);
                    assertTrue(eventually(5_000, () -> server.counters().master(MasterCounter.LINGERING) == 1), "the master lingers");
                    Thread.sleep(200); // the scenario: it goes on talking a while into the linger
                    refused.send(TestClient.PING); // still talking: its input is read and dropped
                    assertTrue(eventually(5_000, () -> server.counters().master(MasterCounter.LINGER_TIMEOUTS) == 1),
                        "dropped after --linger-timeout");
                    baseline.assertRestored(server, 5_000);
                    // Everything it never read is still there for it, then an orderly close.
                    assertEquals(ErrorCode.SERVER_FULL.code(), refused.expectError());
                    assertEndOfStreamNotReset(refused);
                }
                served.send(TestClient.PING);
                served.expectPing();
            }
        }
    }

    /** The worker's own refusals linger too: an idle client that never reads gets 'E' 4 and an orderly close. */
    @Test
    void anIdleClientThatNeverReadsGetsItsTimeoutAndAnOrderlyClose() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--idle-timeout", "300ms", "--linger-timeout", "1s"))
        {
            try (TestClient idle = new TestClient(server.port(), 10_000))
            {
                idle.send(TestClient.control(5), TestClient.PING);
                assertTrue(eventually(5_000, () -> server.counters().total(WorkerCounter.LINGER_TIMEOUTS) == 1),
                    "the idle client lingered, then was dropped");
                idle.expectPing();
                assertEquals(ErrorCode.IDLE_TIMEOUT.code(), idle.expectError());
                assertEndOfStreamNotReset(idle);
            }
        }
    }

    private static void readRestOfError(final TestClient client) throws IOException
    {
        int b;
        do
        {
            b = client.readExactly(1)[0];
        }
        while (b != 0);
    }

    private static void assertEndOfStreamNotReset(final TestClient client) throws IOException
    {
        try
        {
            assertEquals(-1, client.readSome(new byte[64]), "nothing after the 'E' but the end of the stream");
        }
        catch (final SocketException ex)
        {
            throw new AssertionError("the refused client saw a reset instead of an orderly close: " + ex, ex);
        }
    }

    private static long refusals(final ServerProcess server)
    {
        return server.counters().master(MasterCounter.REJECTED_SERVER_FULL) + server.counters().master(MasterCounter.REJECTED_SHARD_WORKER_FULL) +
            server.counters().total(WorkerCounter.ERRORS_SERVER_FULL);
    }

    private static long lingering(final RunDirCounters counters)
    {
        return counters.master(MasterCounter.LINGERING) + counters.total(WorkerCounter.LINGERING);
    }

}
