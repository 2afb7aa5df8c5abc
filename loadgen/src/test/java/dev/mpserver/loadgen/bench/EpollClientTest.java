package dev.mpserver.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.testserver.Misbehaviour;
import dev.mpserver.loadgen.testserver.Misbehaviour.Kind;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.protocol.counters.WorkerCounter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's independent C client ({@code scripts/reference/epoll_client.c}), compiled as the bench
 * compiles it, against the misbehaving test server and the real servers: every outcome is counted
 * as loadgen counts it (kind and phase), routing is checked with 'I', the open loop keeps its
 * clock, and bad command lines exit 2. Skipped where there is no C compiler, as the bench skips it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollClientTest
{
    @TempDir
    static Path work;
    private static NativePeers peers;

    @BeforeAll
    static void compile() throws Exception
    {
        peers = NativePeers.compile(Path.of("..").toAbsolutePath().normalize(), work);
    }

    /** The exit status, the key=value lines and stderr of one run. */
    private record Run(int exit, Map<String, String> values, String errors)
    {
        long count(final String key)
        {
            return Long.parseLong(values.get(key));
        }

        double number(final String key)
        {
            return Double.parseDouble(values.get(key));
        }
    }

    private static Run run(final String... args) throws IOException, InterruptedException
    {
        assumeTrue(null != peers.client(), "no C compiler: " + peers.missing());
        final List<String> command = new ArrayList<>(List.of(peers.client().toString()));
        command.addAll(List.of(args));
        final Path errors = Files.createTempFile("epoll-client-test-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).redirectError(errors.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the client exits");
            return new Run(process.exitValue(), KeyValueProcess.parse(out), Files.readString(errors));
        }
        finally
        {
            Files.deleteIfExists(errors);
        }
    }

    /** One shard per behaviour, as loadgen's BadRepliesTest: connection n of range:1-16 uses shard n + 1. */
    private static Misbehaviour byShard(final int shard)
    {
        switch (shard)
        {
            case 1: return Misbehaviour.of(Kind.GARBAGE, 0);
            case 2: return Misbehaviour.of(Kind.CLOSE, 0);
            case 3: return Misbehaviour.error(1, 0);
            case 4: return Misbehaviour.error(2, 0);
            case 5: return Misbehaviour.error(3, 0);
            case 6: return Misbehaviour.error(4, 0);
            case 7: return Misbehaviour.error(5, 0);
            case 8: return Misbehaviour.of(Kind.RESET, 0);
            case 9: return Misbehaviour.of(Kind.SILENT, 0);
            case 10: return Misbehaviour.of(Kind.GARBAGE, 2);
            case 11: return Misbehaviour.error(4, 2);
            case 12: return Misbehaviour.of(Kind.RESET, 2);
            case 13: return Misbehaviour.error(99, 0);
            case 14: return Misbehaviour.of(Kind.PARTIAL_THEN_CLOSE, 2);
            case 15: return Misbehaviour.of(Kind.UNSOLICITED_IDENTIFY, 0);
            default: return Misbehaviour.NONE;
        }
    }

    @Test
    void everyKindOfBadReplyIsCountedApartAsLoadgenCountsIt() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.misbehave(EpollClientTest::byShard);
            final Run run = run("--port", Integer.toString(server.port()), "--conns", "16", "--msgs", "5", "--ids", "range:1-16",
                "--timeout", "0.5", "--duration", "20");

            assertEquals(0, run.exit(), run.errors());
            assertEquals(16, run.count("ok") + run.count("shed") + run.count("failed"));
            assertEquals(1, run.count("ok"), "shard 16");
            assertEquals(8, run.count("failed"));
            assertEquals(3, run.count("failed_garbage"), "shards 1, 15 (route) and 10 (message)");
            assertEquals(2, run.count("failed_closed"), "shards 2 (route) and 14 (message, half a reply)");
            assertEquals(2, run.count("failed_reset"), "shards 8 (route) and 12 (message)");
            assertEquals(1, run.count("failed_timeout"), "shard 9");
            assertEquals(0, run.count("failed_refused") + run.count("failed_other"));
            assertEquals(5, run.count("failed_in_route"), "shards 1, 2, 8, 9, 15");
            assertEquals(3, run.count("failed_in_message"), "shards 10, 12, 14");

            assertEquals(7, run.count("shed"), "an 'E' is shed, not a failure");
            assertEquals(6, run.count("shed_in_route"));
            assertEquals(1, run.count("shed_in_message"));
            assertEquals(1, run.count("shed_e1"));
            assertEquals(1, run.count("shed_e2"));
            assertEquals(1, run.count("shed_e3"));
            assertEquals(2, run.count("shed_e4"), "shards 6 and 11");
            assertEquals(1, run.count("shed_e5"));
            assertEquals(1, run.count("shed_e_other"), "code 99");

            // As the bench reads it and lists a row's lost clients (peers, overload).
            final Figures figures = new Figures(1);
            ClientResult.ofKeyValues("C", run.values()).setLosses(figures, 0);
            assertEquals("failed: reset 2, closed 2, timeout 1, garbage 3; shed 7", ClientResult.lossText(figures));
        }
    }

    @Test
    void refusedConnectionsAreConnectPhaseFailures() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = probe.getLocalPort();
        }
        final Run run = run("--port", Integer.toString(port), "--conns", "5", "--msgs", "1", "--timeout", "2");

        assertEquals(0, run.exit(), run.errors());
        assertEquals(5, run.count("failed_refused"));
        assertEquals(5, run.count("failed_in_connect"));
        assertEquals(0, run.count("connected"));
        assertEquals(-1, run.number("conns_per_s_90"), "no connection ended ok");
    }

    @Test
    void identifyTellsAShardSplitBetweenWorkersFromOneThatMoved() throws Exception
    {
        // Connection n is client serial n and has shard n mod 10 (range:0-9, 40 connections): shard
        // k's clients k, k + 10, k + 20, k + 30 are answered by "workers" 1000, 1001, 1000, 1001.
        final ProtocolTestServer.IdentifyPolicy alternating = (shard, serial) -> new int[] {1000 + (int)(serial / 10 % 2), shard};
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.identify(alternating);
            // One client at a time: never two clients of a shard at once, so every shard moved, none split.
            final Run moved = run("--port", Integer.toString(server.port()), "--conns", "40", "--msgs", "2", "--ids", "range:0-9",
                "--identify", "--concurrency", "1");
            assertEquals(40, moved.count("ok"), moved.errors());
            assertEquals(40, moved.count("identified"));
            assertEquals(2, moved.count("workers_seen"));
            assertEquals(10, moved.count("shards_on_several_workers"));
            assertEquals(0, moved.count("split_shards"));
            assertEquals(1, moved.count("routing_correct"));

            server.identify(ProtocolTestServer.ONE_WORKER);
            final Run whole = run("--port", Integer.toString(server.port()), "--conns", "40", "--msgs", "2", "--ids", "range:0-9",
                "--identify");
            assertEquals(40, whole.count("ok"), whole.errors());
            assertEquals(0, whole.count("shards_on_several_workers"));
            assertEquals(0, whole.count("split_shards"));
            assertEquals(1, whole.count("workers_seen"));
            assertEquals(1, whole.count("routing_correct"));
            assertEquals(Integer.toString(ProtocolTestServer.DEFAULT_PID), whole.values().get("pids"));
            server.awaitIdle(5000);
            assertEquals(80, server.identifies.get(), "one 'I' per client, after its messages");
            assertEquals(160, server.messages.get());
        }
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            // No 'I' answered before every client's 'I' is in: all 40 clients are in the server
            // together, each from its first reply on, so each shard is in two workers at once. (A
            // 500 ms stall after the first message, then a barrier on the first messages, each found
            // 9 split shards once on a busy CI run: a client came late, or was let go early.)
            server.identify(alternating).holdIdentifyRepliesUntil(40, 10_000);
            final Run split = run("--port", Integer.toString(server.port()), "--conns", "40", "--msgs", "2", "--ids", "range:0-9",
                "--identify");
            assertEquals(40, split.count("ok"), split.errors());
            assertEquals(10, split.count("shards_on_several_workers"));
            assertEquals(10, split.count("split_shards"));
            assertEquals(0, split.count("routing_correct"));
        }
    }

    @Test
    void openLoopStartsConnectionsOnItsClockAndCountsFromTheIntendedStart() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Run run = run("--port", Integer.toString(server.port()), "--conns", "100", "--msgs", "2", "--rate", "200");

            assertEquals(0, run.exit(), run.errors());
            assertEquals("open", run.values().get("mode"));
            assertEquals(100, run.count("ok"));
            assertEquals(200, run.count("replies"));
            // Connection 99 is due at 99/200 s: the run cannot be over before that.
            assertTrue(run.number("elapsed_s") >= 0.495, "elapsed " + run.number("elapsed_s"));
            assertEquals(100, run.count("route_from_intended_count"));
            assertEquals(100, run.count("message_count"), "one message after the first, per connection");
            // From the intended start includes the connect and the route: never less than the route alone.
            assertTrue(run.number("route_from_intended_max_us") >= run.number("route_max_us") * 0.98);
        }
    }

    @Test
    void notRoutedClientsAreServedWhereAcceptedWithoutAHandOff() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final Run run = run("--port", Integer.toString(server.port()), "--conns", "200", "--msgs", "3", "--ids", "none");

            assertEquals(200, run.count("ok"), run.errors());
            assertTrue(Eventually.eventually(3000, () -> server.counters().total(WorkerCounter.MESSAGES) == 600),
                "the workers counted " + server.counters().total(WorkerCounter.MESSAGES) + " messages");
            assertEquals(0, server.counters().total(WorkerCounter.HANDOFFS_OUT), "no 'C', so no hand-off");
        }
    }

    @Test
    void servesEveryClientOfTheCReferenceServerAndOfRoutedMpServer() throws Exception
    {
        assumeTrue(null != peers.server(), "no C compiler: " + peers.missing());
        try (ServerUnderTest reference = ServerUnderTest.startReference(peers.server(), work))
        {
            final Run run = run("--port", Integer.toString(reference.port()), "--conns", "300", "--msgs", "5", "--identify");
            assertEquals(300, run.count("ok"), run.errors());
            assertEquals(1500, run.count("replies"));
            assertEquals(1500, run.count("msgs_sent"));
            assertEquals(1, run.count("routing_correct"));
            assertTrue(run.number("conns_per_s_90") > 0);
        }
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final Run run = run("--port", Integer.toString(server.port()), "--conns", "600", "--msgs", "5", "--shards", "200",
                "--identify");
            assertEquals(600, run.count("ok"), run.errors());
            assertEquals(0, run.count("split_shards"), "no shard split across workers");
            assertEquals(0, run.count("identify_mismatch"));
            assertEquals(1, run.count("routing_correct"));
        }
    }

    @Test
    void badCommandLinesExitTwoWithOneLine() throws Exception
    {
        for (final String[] args : List.of(
            new String[] {"--port", "1", "--host", "10.1.2.3"},
            new String[] {"--conns", "5"},
            new String[] {"--port", "1", "--conns", "0"},
            new String[] {"--port", "1", "--ids", "range:9-1"},
            new String[] {"--port", "1", "--bogus"}))
        {
            final Run run = run(args);
            assertEquals(2, run.exit(), String.join(" ", args));
            assertTrue(run.values().isEmpty(), "nothing on stdout");
            assertEquals(1, run.errors().strip().lines().count(), run.errors());
        }
    }
}
