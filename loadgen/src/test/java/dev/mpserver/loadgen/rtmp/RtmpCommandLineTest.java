package dev.mpserver.loadgen.rtmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpserver.loadgen.LoadGen;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.loadgen.testserver.RtmpTestServer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtmpCommandLineTest
{
    @TempDir
    Path dir;

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
    void rejectsBadArgumentsInOneLineNamingTheOption()
    {
        final String[][] cases = {
            {"rtmp", "--port", "0"},
            {"rtmp", "--port", "9", "--streams", "0"},
            {"rtmp", "--port", "9", "--players", "-1"},
            {"rtmp", "--port", "9", "--streams", "2", "--vhosts", "3"},
            {"rtmp", "--port", "9", "--bitrate", "fast"},
            {"rtmp", "--port", "9", "--bitrate", "1k"},
            {"rtmp", "--port", "9", "--fps", "0"},
            {"rtmp", "--port", "9", "--gop", "0"},
            {"rtmp", "--port", "9", "--rate", "0"},
            {"rtmp", "--port", "9", "--duration", "soon"},
            {"rtmp", "--port", "9", "--threads", "0"},
            {"rtmp", "--port", "9", "--app", "a/b"},
            {"rtmp", "--port", "9", "--host", "192.0.2.1"},
        };
        for (final String[] args : cases)
        {
            final Result r = loadgen(args);
            final String option = args[args.length - 2];
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(option), String.join(" ", args) + " should name " + option + ": " + r.err());
        }
        assertTrue(loadgen("rtmp", "--port", "9", "--host", "192.0.2.1").err().contains("--allow-remote"));
    }

    @Test
    void helpExplainsEveryOption()
    {
        final Result r = loadgen("rtmp", "--help");
        assertEquals(0, r.exit());
        for (final String option : new String[] {"--port", "--host", "--allow-remote", "--streams", "--players", "--vhosts",
            "--app", "--bitrate", "--fps", "--gop", "--duration", "--timeout", "--rate", "--threads", "--verify", "--probe",
            "--json", "--html", "--progress", "Exit status"})
        {
            assertTrue(r.out().contains(option), option);
        }
    }

    @Test
    void probeTellsAnRtmpServerFromOneThatIsNot() throws Exception
    {
        try (ProtocolTestServer notRtmp = new ProtocolTestServer();
            RtmpTestServer rtmp = new RtmpTestServer(name -> RtmpTestServer.Behaviour.NONE, false))
        {
            final Result no = loadgen("rtmp", "--port", Integer.toString(notRtmp.port()), "--probe");
            assertEquals(1, no.exit(), no.out());
            assertTrue(no.out().startsWith("not rtmp:"), no.out());
            final Result yes = loadgen("rtmp", "--port", Integer.toString(rtmp.port()), "--probe");
            assertEquals(0, yes.exit(), yes.out());
        }
    }

    @Test
    void jsonReportCarriesTheFiguresThePerStreamBreakdownAndFullHistograms() throws Exception
    {
        try (RtmpTestServer server = new RtmpTestServer(
            name -> name.equals("stream1") ? RtmpTestServer.Behaviour.NO_MEDIA : RtmpTestServer.Behaviour.NONE, true))
        {
            final Path json = dir.resolve("out/rtmp.json");
            final Result r = loadgen("rtmp", "--port", Integer.toString(server.port()), "--streams", "2", "--players", "3",
                "--duration", "3s", "--timeout", "1s", "--verify", "--progress", "off", "--json", json.toString());
            assertEquals(1, r.exit(), "--verify fails: stream1's players got nothing\n" + r.out() + r.err());
            assertTrue(r.out().contains("got nothing (3): players 1 3 5"), r.out());

            final JsonNode root = new ObjectMapper().readTree(Files.readString(json));
            assertEquals(RtmpJsonReport.FORMAT, root.get("format").asText());
            assertEquals(RtmpJsonReport.FORMAT_VERSION, root.get("formatVersion").asInt());
            assertEquals("rtmp", root.get("command").asText());
            assertEquals(false, root.get("result").get("verified").asBoolean());
            assertEquals(1, root.get("result").get("exitCode").asInt());
            assertEquals(2, root.get("publishers").get("live").asInt());
            assertEquals(3, root.get("players").get("served").asInt());
            assertEquals(3, root.get("players").get("gotNothing").asInt());
            final JsonNode stream1 = root.get("streams").get(1);
            assertEquals("stream1", stream1.get("name").asText());
            assertEquals("[1,3,5]", stream1.get("gotNothing").toString());
            assertEquals(RtmpTestServer.PUBLISHER_PID, stream1.get("publisherPid").asInt());
            assertEquals(6, root.get("playerDetails").size());
            final JsonNode player1 = root.get("playerDetails").get(1);
            assertEquals("failed", player1.get("outcome").asText());
            assertEquals("first-frame", player1.get("phase").asText());
            assertEquals("timeout", player1.get("failure").asText());
            assertTrue(player1.get("localPort").asInt() > 0);
            assertTrue(root.get("timeline").size() >= 3);

            final JsonNode relay = root.get("latency").get("relay");
            final Histogram h = Histogram.decodeFromCompressedByteBuffer(
                ByteBuffer.wrap(Base64.getDecoder().decode(relay.get("histogram").asText())), 0);
            assertEquals(relay.get("count").asLong(), h.getTotalCount());
            assertEquals(relay.get("p99").asDouble(), h.getValueAtPercentile(99) / 1000.0, 1e-9, "p99 in microseconds");
            assertTrue(root.get("loadgen").get("cpuSeconds").asDouble() > 0);
        }
    }
}
