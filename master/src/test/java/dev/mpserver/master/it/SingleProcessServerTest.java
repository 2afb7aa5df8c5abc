package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code mpserver --workers 0}: the worker loop serving alone, over real sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SingleProcessServerTest
{
    private static final int OUTPUT_CAP = 64 * 1024;

    private ServerProcess server;
    private int baselineFds;

    @BeforeAll
    void start() throws Exception
    {
        server = ServerProcess.start("--workers", "0", "--idle-timeout", "60s", "--output-cap", Integer.toString(OUTPUT_CAP));
        try (TestClient warmUp = new TestClient(server.port()))
        {
            warmUp.join(1);
        }
    }

    @AfterAll
    void stop() throws Exception
    {
        server.close();
    }

    @BeforeEach
    void baseline() throws Exception
    {
        // Whatever a previous test left open must close on its own (and must not be more than the listener's).
        baselineFds = Eventually.settled("the server's fds", 50, 5000, server::fdCount);
    }

    @Test
    void thousandConcurrentClientsEachGetTwentyPipelinedRepliesByteExact() throws Exception
    {
        final int clients = 1000;
        final int messages = 20;
        final byte[] burst = new byte[WireProtocol.CONTROL_FRAME_LENGTH + messages * TestClient.PING.length];
        System.arraycopy(TestClient.control(0), 0, burst, 0, WireProtocol.CONTROL_FRAME_LENGTH);
        for (int i = 0; i < messages; i++)
        {
            System.arraycopy(TestClient.PING, 0, burst, WireProtocol.CONTROL_FRAME_LENGTH + i * TestClient.PING.length, TestClient.PING.length);
        }
        final byte[] expected = new byte[messages * WireProtocol.PING_REPLY.length];
        for (int i = 0; i < messages; i++)
        {
            System.arraycopy(WireProtocol.PING_REPLY, 0, expected, i * WireProtocol.PING_REPLY.length, WireProtocol.PING_REPLY.length);
        }
        final List<TestClient> open = new ArrayList<>();
        try
        {
            for (int i = 0; i < clients; i++)
            {
                final TestClient client = new TestClient(server.port());
                open.add(client);
                client.send(withShard(burst, i % 37));
            }
            for (final TestClient client : open)
            {
                assertArrayEquals(expected, client.readExactly(expected.length));
                assertTrue(client.isSilentFor(0 == open.indexOf(client) ? 200 : 1), "exactly 20 replies, nothing more");
            }
        }
        finally
        {
            closeAll(open);
        }
        assertFdsBackToBaseline();
    }

    @Test
    void broadcastReachesEveryOtherClientOfTheShardOnceAndNoClientOfAnother() throws Exception
    {
        final List<TestClient> shard7 = new ArrayList<>();
        final List<TestClient> shard8 = new ArrayList<>();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                shard7.add(new TestClient(server.port()).join(7));
                shard8.add(new TestClient(server.port()).join(8));
            }
            final byte[] frame = TestClient.broadcast("stream 7 keyframe");
            shard7.get(0).send(frame, TestClient.PING);
            shard7.get(0).expectPing(); // the sender gets no copy: its next bytes are its own reply
            for (final TestClient other : shard7.subList(1, 50))
            {
                assertArrayEquals(frame, other.readDelimited(WireProtocol.BROADCAST));
                other.send(TestClient.PING);
                other.expectPing(); // once: nothing else was queued before the reply
            }
            for (final TestClient stranger : shard8)
            {
                stranger.send(TestClient.PING);
                stranger.expectPing();
            }
            final int[] identity = shard7.get(3).identify();
            assertEquals(server.pid(), identity[0]);
            assertEquals(7, identity[2]);
            assertEquals(50, identity[3]);
        }
        finally
        {
            closeAll(shard7);
            closeAll(shard8);
        }
        assertFdsBackToBaseline();
    }

    @Test
    void wrongFirstByteGetsBadFrameAndClose() throws Exception
    {
        try (TestClient client = new TestClient(server.port()))
        {
            client.send(new byte[] {'X', 1, 2, 3});
            assertEquals(ErrorCode.BAD_FRAME.code(), client.expectError());
            assertTrue(client.isClosedByServer());
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void partialControlThenSilenceTimesOutWithIdleError() throws Exception
    {
        try (ServerProcess quick = ServerProcess.start("--workers", "0", "--idle-timeout", "1s"))
        {
            try (TestClient warmUp = new TestClient(quick.port()))
            {
                warmUp.join(1);
            }
            final int baseline = quick.fdCount();
            final long start = System.nanoTime();
            try (TestClient client = new TestClient(quick.port()))
            {
                client.send(new byte[] {WireProtocol.CONTROL, 7, 0});
                assertEquals(ErrorCode.IDLE_TIMEOUT.code(), client.expectError());
                assertTrue(client.isClosedByServer());
            }
            assertTrue(System.nanoTime() - start >= 900_000_000L, "not before the idle timeout");
            try (TestClient fresh = new TestClient(quick.port()))
            {
                fresh.join(2);
            }
            assertTrue(eventually(5000, () -> quick.fdCount() <= baseline), "fds back to baseline");
        }
    }

    @Test
    void partialControlThenCloseIsReleasedAtOnceNotAtTheIdleTimeout() throws Exception
    {
        for (int sent = 1; sent < WireProtocol.CONTROL_FRAME_LENGTH; sent++)
        {
            try (TestClient client = new TestClient(server.port()))
            {
                client.send(Arrays.copyOf(TestClient.control(9), sent));
            }
        }
        assertStillServesAndNothingLeaked(); // within 5 s, and the idle timeout here is 60 s
    }

    @Test
    void messagesFollowedAtOnceByFinAreAllAnsweredThenTheServerCloses() throws Exception
    {
        // Data and FIN in one event: the worker skips the EAGAIN read after a short read, but must
        // not skip the read that sees the FIN, or the fd would wait for the idle timeout.
        for (int round = 0; round < 50; round++)
        {
            try (TestClient client = new TestClient(server.port()))
            {
                client.send(TestClient.control(round), TestClient.PING, TestClient.PING, TestClient.PING);
                client.socket().shutdownOutput();
                for (int i = 0; i < 3; i++)
                {
                    client.expectPing();
                }
                assertTrue(client.isClosedByServer(), "closed after the replies, round " + round);
            }
        }
        assertStillServesAndNothingLeaked(); // within 5 s, and the idle timeout here is 60 s
    }

    @Test
    void controlSplitOverFiveWritesIsServed() throws Exception
    {
        try (TestClient client = new TestClient(server.port()))
        {
            final byte[] control = TestClient.control(12345);
            for (final byte b : control)
            {
                client.send(new byte[] {b});
                Thread.sleep(30); // the scenario: five segments, apart
            }
            client.send(TestClient.PING);
            client.expectPing();
            assertEquals(12345, client.identify()[2]);
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void oversizeMessageWithoutTerminatorGetsBadFrame() throws Exception
    {
        try (TestClient client = new TestClient(server.port()))
        {
            final byte[] huge = new byte[WireProtocol.MAX_FRAME_LENGTH + 100];
            Arrays.fill(huge, (byte)'a');
            huge[0] = WireProtocol.MESSAGE;
            client.send(TestClient.control(1));
            try
            {
                client.send(huge);
            }
            catch (final IOException ex)
            {
                // the server may close before it has read everything
            }
            assertEquals(ErrorCode.BAD_FRAME.code(), client.expectError());
            assertTrue(client.isClosedByServer());
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void secondControlGetsBadFrame() throws Exception
    {
        try (TestClient client = new TestClient(server.port()))
        {
            client.join(3);
            client.send(TestClient.control(4));
            assertEquals(ErrorCode.BAD_FRAME.code(), client.expectError());
            assertTrue(client.isClosedByServer());
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void clientResetMidFrameLeavesServerServing() throws Exception
    {
        for (int i = 0; i < 20; i++)
        {
            final TestClient client = new TestClient(server.port());
            client.join(5);
            client.send(new byte[] {WireProtocol.MESSAGE, 'h', 'a', 'l'});
            client.reset();
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void clientThatNeverReadsBroadcastsIsCutOffAndOthersKeepWorking() throws Exception
    {
        final List<TestClient> others = new ArrayList<>();
        try (TestClient deaf = new TestClient(server.port(), 10_000, 4096); TestClient talker = new TestClient(server.port()))
        {
            deaf.join(99);
            talker.join(99);
            for (int i = 0; i < 3; i++)
            {
                others.add(new TestClient(server.port()).join(99));
            }
            final byte[] chunk = TestClient.broadcast("x".repeat(8000));
            // The deaf client's socket buffers plus the server's output cap are far below 10 MB.
            for (int i = 0; i < 1250; i++)
            {
                talker.send(chunk);
                for (final TestClient other : others)
                {
                    other.readDelimited(WireProtocol.BROADCAST);
                }
            }
            talker.send(TestClient.PING);
            talker.expectPing();
            for (final TestClient other : others)
            {
                other.send(TestClient.PING);
                other.expectPing();
            }
            assertTrue(drainsToClose(deaf), "the deaf client was cut off");
        }
        finally
        {
            closeAll(others);
        }
        assertStillServesAndNothingLeaked();
    }

    @Test
    void atMaxClientsTheNextClientReadsServerFullAndOneThatComesLaterIsServed() throws Exception
    {
        try (ServerProcess capped = ServerProcess.start("--workers", "0", "--max-clients", "100"))
        {
            final List<TestClient> first = new ArrayList<>();
            try
            {
                for (int i = 0; i < 100; i++)
                {
                    first.add(new TestClient(capped.port()).join(i % 5));
                }
                try (TestClient refused = new TestClient(capped.port()))
                {
                    refused.send(TestClient.control(1), TestClient.PING);
                    assertEquals(ErrorCode.SERVER_FULL.code(), refused.expectError(), "101st client told the server is full");
                    assertTrue(refused.isClosedByServer());
                }
                first.remove(0).close();
                assertTrue(Eventually.eventually(5_000, () -> joins(capped.port(), 1)), "a client served once one left");
                for (final TestClient client : first)
                {
                    client.send(TestClient.PING);
                    client.expectPing();
                }
            }
            finally
            {
                closeAll(first);
            }
            assertTrue(capped.isAlive());
        }
    }

    private static boolean joins(final int port, final int shardId)
    {
        try (TestClient client = new TestClient(port))
        {
            client.join(shardId);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    @Test
    void unroutedClientIsServedWhereItLanded() throws Exception
    {
        try (TestClient client = new TestClient(server.port()))
        {
            client.send(TestClient.PING);
            client.expectPing();
            final int[] identity = client.identify();
            assertEquals(WireProtocol.NO_SHARD, identity[2]);
        }
        assertStillServesAndNothingLeaked();
    }

    private static boolean drainsToClose(final TestClient client)
    {
        try
        {
            final byte[] sink = new byte[65536];
            while (client.readSome(sink) > 0)
            {
                // read what the server managed to send before it cut the client off
            }
            return true;
        }
        catch (final IOException ex)
        {
            return !ex.getMessage().contains("timed out");
        }
    }

    private void assertStillServesAndNothingLeaked() throws Exception
    {
        try (TestClient fresh = new TestClient(server.port()))
        {
            fresh.join(424242);
        }
        assertFdsBackToBaseline();
    }

    private void assertFdsBackToBaseline() throws Exception
    {
        assertTrue(eventually(5000, () -> server.fdCount() <= baselineFds),
            "server fds back to baseline " + baselineFds + ", now " + server.fdCount());
    }

    private static byte[] withShard(final byte[] burst, final int shardId)
    {
        final byte[] copy = burst.clone();
        System.arraycopy(TestClient.control(shardId), 0, copy, 0, WireProtocol.CONTROL_FRAME_LENGTH);
        return copy;
    }

    private static void closeAll(final List<TestClient> clients) throws IOException
    {
        for (final TestClient client : clients)
        {
            client.close();
        }
    }
}
