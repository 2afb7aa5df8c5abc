package dev.mpserver.loadgen.warmup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpserver.loadgen.LoadGen;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.WarmUpSummary;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** loadgen's warm-up of its own code (issue 16): the run's shape, its own server, never the target. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelfWarmUpTest
{
    @Test
    void servesEveryWarmUpClientInProcessAndNeverConnectsToTheTarget() throws Exception
    {
        try (ServerSocket target = new ServerSocket())
        {
            target.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final LoadConfig run = LoadConfig.builder(target.getLocalPort()).conns(5000).msgs(10).threads(2)
                .pipeline(2).shardIds(ShardIds.random()).verify(true).build();

            final Set<String> before = ioFds();
            final WarmUpSummary warmUp = SelfWarmUp.run(run, 400);

            assertNull(warmUp.failure());
            assertEquals(400, warmUp.conns());
            assertEquals(400, warmUp.ok(), "every warm-up client answered, 'I' included (--verify)");
            assertTrue(warmUp.nanos() > 0 && warmUp.nanos() < SelfWarmUp.BUDGET_NANOS + TimeUnit.SECONDS.toNanos(2));
            target.setSoTimeout(200);
            assertThrows(SocketTimeoutException.class, target::accept, "the server under test saw no connection");
            final Set<String> left = ioFds();
            left.removeAll(before);
            assertEquals(Set.of(), left, "the warm-up's sockets, selector and listener are all closed");
        }
    }

    @Test
    void noWarmUpWhenZeroAndNeverMoreClientsThanTheRun() throws Exception
    {
        final LoadConfig run = LoadConfig.builder(9).conns(30).msgs(3).build();

        assertNull(SelfWarmUp.run(run, 0));
        final WarmUpSummary warmUp = SelfWarmUp.run(run, 2000);
        assertEquals(30, warmUp.conns());
        assertEquals(30, warmUp.ok(), warmUp.toString());
    }

    @Test
    void loadgenRunTellsItsWarmUpAndMeasuresOnlyTheRun(@TempDir final Path dir) throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Path json = dir.resolve("report.json");
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int exit = LoadGen.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                new String[] {"run", "--port", Integer.toString(server.port()), "--conns", "40", "--msgs", "5",
                    "--progress", "off", "--expect-all", "--json", json.toString()});

            assertEquals(0, exit, err.toString());
            assertTrue(out.toString().contains("loadgen warmed its own code: 40 of 40 clients"), out.toString());
            assertEquals(40, server.accepted.get(), "the server under test saw the run's clients only");
            assertEquals(200, server.messages.get());
            final JsonNode root = new ObjectMapper().readTree(Files.readString(json));
            assertEquals(40, root.get("selfWarmUp").get("ok").asLong());
            assertEquals(200, root.get("messages").get("replies").asLong(), "the warm-up's replies are in no figure");
        }
    }

    @Test
    void warmUpZeroLeavesNoTrace(@TempDir final Path dir) throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Path json = dir.resolve("report.json");
            final StringWriter out = new StringWriter();
            final int exit = LoadGen.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                new String[] {"run", "--port", Integer.toString(server.port()), "--conns", "10", "--warm-up", "0",
                    "--progress", "off", "--json", json.toString()});

            assertEquals(0, exit);
            assertFalse(out.toString().contains("warmed"), out.toString());
            assertFalse(new ObjectMapper().readTree(Files.readString(json)).has("selfWarmUp"));
        }
    }

    /**
     * This JVM's socket, pipe and anonymous-inode (epoll, eventfd) fds as "fd -> target". Only new
     * entries are a leak: the count alone is not a test, since a Cleaner may close an earlier test's
     * socket while the warm-up runs (CI saw 49 after 50), and a class loader may open a jar.
     */
    private static Set<String> ioFds() throws IOException
    {
        final Set<String> fds = new HashSet<>();
        try (var entries = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path fd : (Iterable<Path>)entries::iterator)
            {
                try
                {
                    final String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:") || target.startsWith("pipe:") || target.startsWith("anon_inode:"))
                    {
                        fds.add(fd.getFileName() + " -> " + target);
                    }
                }
                catch (final NoSuchFileException closedMeanwhile)
                {
                    // the listing's own fd, or one closed between list and read: not the warm-up's
                }
            }
        }
        return fds;
    }
}
