package dev.mpserver.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.protocol.counters.RunDirCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * scripts/bench itself, shrunk (--scale 0.01, one repeat) so that it proves its machinery, not a
 * figure: the cold case starts servers, reloads one (SIGHUP) and respawns a worker (kill -9) and
 * sees each new worker READY, and on defaults sees the standby promoted, the next one start and a
 * reload; under the independent C client when a C compiler can build it (the clients share the
 * case's machinery, and each of the case's phases is a server start or a wait of seconds: both
 * clients would double a minute), else loadgen; the JSON report is well-formed and carries the
 * figures; the overload case's reading of the server's 'E' counters finds what a real server
 * counted. Needs the built server (master/target/lib, made by the package phase before loadgen's
 * tests in a full build).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BenchSmokeTest
{
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void coldCaseReloadsRespawnsAndPromotesAndWritesItsFiguresAsJson() throws Exception
    {
        assumeTrue(Files.isRegularFile(REPO.resolve("master/target/lib/mpserver-master.jar")), "the server is not built (mvn package)");
        final Path json = Files.createTempFile("bench-smoke-", ".json");
        try
        {
            final int exit = Bench.commandLine().execute("--repo", REPO.toString(), "--repeat", "1", "--scale", "0.01",
                "--only", "cold", "--clients", onPath("cc") ? "c" : "loadgen", "--json", json.toString(),
                // The bench's JVM for the servers too; standbys 1 s after a start, a reload or a promotion, not 5.
                "--java", Path.of(System.getProperty("java.home"), "bin", "java") + " -- --standby-delay 1s");
            assertEquals(0, exit);

            final Map<String, Object> report = JsonTree.read(json);
            assertEquals(BenchResults.FORMAT, ((Map<?, ?>)report).get("format"));
            assertEquals(BenchResults.FORMAT_VERSION, JsonTree.number(report, "formatVersion"));
            @SuppressWarnings("unchecked")
            final Map<String, Object> results = (Map<String, Object>)report.get("results");
            final boolean cBuilt = ((java.util.List<?>)report.get("skipped")).stream().noneMatch(s -> s.toString().contains("epoll_client"));
            for (final String client : cBuilt ? new String[] {"c"} : new String[] {"loadgen"})
            {
                final String open = key(results, "cold.open", "." + client + ".warm.routeP99Ms");
                final String prefix = open.substring(0, open.length() - ".warm.routeP99Ms".length());
                assertEquals(1.0, value(results, prefix + ".reload.ready"), "the new generation was READY: " + prefix);
                assertEquals(1.0, value(results, prefix + ".respawn.ready"), "the respawned worker was READY");
                assertEquals(1.0, value(results, prefix + ".standbyRespawn.ready"), "on defaults, the standby was promoted");
                assertEquals(1.0, value(results, prefix + ".standbyStart.ready"), "the next standby started");
                assertEquals(1.0, value(results, prefix + ".standbyReload.ready"), "it warmed, and the reload's generation was READY");
                for (final String phase : new String[] {"start", "warm", "warmAgain", "reload", "respawn", "standbyFirst", "standbyWarm",
                    "standbyRespawn", "standbyStart", "standbyReload"})
                {
                    assertEquals(0.0, value(results, prefix + "." + phase + ".notOk"), phase + ": every client served");
                }
            }
            assertFalse(key(results, "cold.burst.", ".warm.msgsPerSec").isEmpty());
            final java.util.List<?> skipped = (java.util.List<?>)report.get("skipped");
            if (skipped.stream().noneMatch(s -> s.toString().contains("epoll_server") || s.toString().contains("cold floor")))
            {
                final String alone = key(results, "cold.open", ".floor.c.alone.routeP99Ms");
                final String prefix = alone.substring(0, alone.length() - ".alone.routeP99Ms".length());
                assertTrue(value(results, alone) > 0, "the C server's floor was measured alone");
                assertTrue(value(results, prefix + ".busy.routeP99Ms") > 0, "and next to the busy process");
            }
            assertTrue(value(results, "elapsedSeconds.total") >= 0);
        }
        finally
        {
            Files.deleteIfExists(json);
        }
    }

    @Test
    void theOverloadCaseReadsTheErrorsTheServerCounted() throws Exception
    {
        assertEquals(java.util.Set.of(1, 2, 3, 4, 5), OverloadCase.serverErrors(RunDirCounters.read(REPO.resolve("no-such-dir"))).keySet(),
            "every 'E' code has a counter labelled \"E<code> ...\"");
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--idle-timeout", "300ms"))
        {
            for (int i = 0; i < 3; i++)
            {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port()))
                {
                    socket.setSoTimeout(10_000);
                    socket.getOutputStream().write(new byte[] {'M', 'x', 0});
                    socket.getInputStream().readNBytes(20); // the reply; then nothing more from this client
                    assertEquals('E', socket.getInputStream().read());
                    assertEquals(4, socket.getInputStream().read(), "idle timeout");
                }
            }
            assertTrue(Eventually.eventually(3000, () -> errors(server, 4) == 3), "E4 counted 3 times: " + errors(server, 4));
        }
    }

    private static long errors(final ServerProcess server, final int code)
    {
        return OverloadCase.serverErrors(server.counters()).getOrDefault(code, 0L);
    }

    @Test
    void helpExplainsEveryCaseAndBadOptionsExitTwo()
    {
        final StringWriter out = new StringWriter();
        final picocli.CommandLine help = Bench.commandLine();
        help.setOut(new PrintWriter(out));
        assertEquals(0, help.execute("--help"));
        for (final Bench.Case c : Bench.Case.values())
        {
            assertTrue(out.toString().contains("  " + c + " "), "--help explains " + c); // as --only names it
        }

        final StringWriter err = new StringWriter();
        final picocli.CommandLine bad = Bench.commandLine();
        bad.setErr(new PrintWriter(err));
        assertEquals(2, bad.execute("--repeat", "0"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertEquals(2, Bench.commandLine().execute("--java", "/no/such/java"));
        assertEquals(2, Bench.commandLine().execute("--only", "nothing"));
    }

    /** The one results key with this prefix and suffix. */
    private static String key(final Map<String, Object> results, final String prefix, final String suffix)
    {
        return results.keySet().stream().filter(k -> k.startsWith(prefix) && k.endsWith(suffix)).findFirst()
            .orElseThrow(() -> new AssertionError("no result " + prefix + "..." + suffix + " in " + results.keySet()));
    }

    /** A figure by its whole key (the keys hold dots of their own, so no path lookup). */
    private static double value(final Map<String, Object> results, final String key)
    {
        final Object v = results.get(key);
        assertTrue(v instanceof Number, key + " is a number: " + v);
        return ((Number)v).doubleValue();
    }

    private static boolean onPath(final String command)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command)))
            {
                return true;
            }
        }
        return false;
    }
}
