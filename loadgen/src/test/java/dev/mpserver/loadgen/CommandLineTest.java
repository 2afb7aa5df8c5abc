package dev.mpserver.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommandLineTest
{
    private record Result(int exit, String out, String err)
    {
    }

    private static Result loadgen(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = LoadGen.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void refusesANonLoopbackHostUnlessAllowed()
    {
        final Result r = loadgen("--port", "9", "--host", "192.0.2.1");

        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a loopback address"), r.err());
        assertTrue(r.err().contains("--allow-remote"), r.err());
    }

    @Test
    void rejectsBadArgumentsWithTheOptionNamed()
    {
        final String[][] cases = {
            {"--port", "0"},
            {"--port", "9", "--conns", "0"},
            {"--port", "9", "--msgs", "0"},
            {"--port", "9", "--threads", "0"},
            {"--port", "9", "--concurrency", "0"},
            {"--port", "9", "--pipeline", "0"},
            {"--port", "9", "--rate", "-1"},
            {"--port", "9", "--msg-rate", "0"},
            {"--port", "9", "--ids", "range:5-2"},
            {"--port", "9", "--ids", "zipf:-1"},
            {"--port", "9", "--ids", "bogus"},
            {"--port", "9", "--duration", "soon"},
            {"--port", "9", "--shards", "0"},
            {"--port", "9", "--warm-up", "-1"},
            {"storm", "--port", "9", "--connect-rate", "0"},
            {"storm", "--port", "9", "--start-rate", "-5"},
            {"storm", "--port", "9", "--ramp", "later"},
            {"storm", "--port", "9", "--burst", "0"},
        };
        for (final String[] args : cases)
        {
            final Result r = loadgen(args);
            final String option = args[args.length - 2];
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(option), String.join(" ", args) + " should name " + option + ": " + r.err());
        }
        assertEquals(2, loadgen("--conns", "1").exit(), "--port is required");
    }

    @Test
    void expectAllFailsTheExitStatusWhenAnyConnectionFails() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = probe.getLocalPort();
        }
        final Result without = loadgen("--port", Integer.toString(port), "--conns", "3", "--progress", "off");
        final Result with = loadgen("--port", Integer.toString(port), "--conns", "3", "--progress", "off", "--expect-all");

        assertEquals(0, without.exit(), "failures alone do not fail the exit status");
        assertEquals(1, with.exit());
        assertTrue(with.out().contains("connect 3 (refused 3)"), with.out());
        assertTrue(with.out().contains("NOT MET"), with.out());
    }

    @Test
    void helpDescribesTheLoadShapes()
    {
        final Result top = loadgen("--help");
        assertEquals(0, top.exit());
        assertTrue(top.out().contains("storm"));

        final Result run = loadgen("run", "--help");
        assertEquals(0, run.exit());
        for (final String option : List.of("--rate", "--msg-rate", "PER CONNECTION", "--concurrency", "--ids",
            "zipf:S", "--pipeline", "--verify", "--expect-all", "--json", "--duration", "--timeout", "coordinated"))
        {
            assertTrue(run.out().contains(option), "run --help mentions " + option);
        }
        final Result storm = loadgen("storm", "--help");
        assertTrue(storm.out().contains("--connect-rate") && storm.out().contains("--run-dir"));
    }

    @Test
    void jsonCarriesEveryFigureOfTheTable(@TempDir final Path dir) throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Path json = dir.resolve("out/report.json");
            final Result r = loadgen("--port", Integer.toString(server.port()), "--conns", "20", "--msgs", "5",
                "--rate", "200", "--msg-rate", "100", "--ids", "zipf:1.2", "--shards", "50", "--seed", "7",
                "--progress", "plain", "--expect-all", "--json", json.toString());

            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("p99.9"), r.out());
            final JsonNode root = new ObjectMapper().readTree(Files.readString(json));
            assertEquals("run", root.get("command").asText());
            assertEquals("open", root.get("config").get("mode").asText());
            assertEquals(7, root.get("config").get("seed").asLong());
            assertEquals(20, root.get("connections").get("ok").asLong());
            assertEquals(0, root.get("failures").get("total").asLong());
            assertEquals(0, root.get("shed").get("total").asLong());
            assertEquals(100, root.get("messages").get("replies").asLong());
            assertEquals(200, root.get("rates").get("connectionsPerSecond").get("target").asDouble());
            assertTrue(root.get("rates").get("connectionsPerSecond").get("achieved").asDouble() > 0);
            assertEquals(100, root.get("rates").get("messagesPerSecondPerConn").get("target").asDouble());
            assertEquals(0, root.get("result").get("exitCode").asInt());
            assertTrue(root.get("result").get("allSucceeded").asBoolean());

            final JsonNode latency = root.get("latency");
            assertEquals("microseconds", latency.get("unit").asText());
            final List<JsonNode> figures = new ArrayList<>(List.of(latency.get("connect"),
                latency.get("connectFromIntendedStart"), latency.get("route"),
                latency.get("message").get("fromIntendedSend"), latency.get("message").get("fromActualSend")));
            for (final JsonNode figure : figures)
            {
                for (final String p : LatencySummary.PERCENTILE_NAMES)
                {
                    assertTrue(figure.has(p), "has " + p);
                }
                assertTrue(figure.has("max") && figure.has("count"));
                final Histogram h = Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(figure.get("histogram").asText())), 0);
                assertEquals(figure.get("count").asLong(), h.getTotalCount());
                assertEquals(figure.get("p99").asDouble(), h.getValueAtPercentile(99) / 1000.0, 0.001);
            }
            assertEquals(80, latency.get("message").get("fromIntendedSend").get("count").asLong());
            assertTrue(root.get("timeline").size() >= 1);
            assertTrue(root.get("verify").isNull());
            assertTrue(root.get("serverCounters").isNull());
            assertTrue(r.err().contains("conns 20/20"), "plain progress line: " + r.err());
        }
    }

    @Test
    void stormRampsConnectionsAndSaysWhenTheRunDirHasNoCounters(@TempDir final Path dir) throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Path json = dir.resolve("storm.json");
            final Result r = loadgen("storm", "--port", Integer.toString(server.port()), "--conns", "300",
                "--start-rate", "100", "--connect-rate", "1000", "--ramp", "300ms", "--burst", "10", "--verify",
                "--ids", "range:0-29", "--hold", "100ms", "--run-dir", dir.toString(), "--progress", "off",
                "--expect-all", "--json", json.toString());

            assertEquals(0, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("no server counters"), r.err());
            final JsonNode root = new ObjectMapper().readTree(Files.readString(json));
            assertEquals("storm", root.get("command").asText());
            assertEquals(300, root.get("connections").get("ok").asLong());
            assertEquals(0, root.get("verify").get("splitShards").asLong());
            assertEquals(30, root.get("verify").get("shards").asLong());
            assertEquals(1000, root.get("config").get("arrivals").get("rate").asDouble());
            assertEquals(10, root.get("config").get("arrivals").get("burst").asInt());
            // 300 connections: 165 arrive during the 0.3 s ramp, the other 135 at 1000/s.
            final double elapsed = root.get("result").get("elapsedSeconds").asDouble();
            assertTrue(elapsed > 0.4 && elapsed < 5, "elapsed " + elapsed);
        }
    }
}
