package dev.mpserver.master.cli;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.protocol.launch.Executables;
import dev.mpserver.protocol.launch.WorkerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code mpserver haproxy-config} prints, checked by the real HAProxy ({@code haproxy -c}). */
class HaproxyConfigCommandTest
{
    @TempDir
    Path dir;

    @Test
    void printsAConfigurationThatHaproxyAcceptsForOneToFiveHosts() throws Exception
    {
        for (final int n : new int[] {1, 2, 3, 5})
        {
            final List<String> hosts = new ArrayList<>();
            for (int i = 0; i < n; i++)
            {
                hosts.add("10.213.9." + (i + 2) + ":8935");
            }
            final Result result = cli("haproxy-config", "--hosts", String.join(",", hosts), "--bind", "127.0.0.1:18935");
            assertEquals(0, result.code, result.err);
            assertHaproxyAccepts(result.out);
            assertEquals(n, count(result.out, "    use_backend mpserver_h"), result.out);
            for (int i = 0; i < n; i++)
            {
                final String backend = section(result.out, "backend mpserver_h" + i);
                assertTrue(backend.contains("server h" + i + " " + hosts.get(i) + " check observe layer4"), backend);
                assertEquals(n - 1, count(backend, " backup track "), "every other host backs h" + i + " up: " + backend);
                if (n > 1)
                {
                    assertTrue(backend.contains("server h" + (i + 1) % n + " " + hosts.get((i + 1) % n) + " backup"),
                        "the next host on the ring is the first backup: " + backend);
                }
            }
            assertTrue(result.out.contains("req.payload(1,4),crc32,mod(" + n + ")"), result.out);
        }
    }

    @Test
    void sizesMaxconnAndTimeoutsFromTheHostsSettings() throws Exception
    {
        final Result result = cli("haproxy-config", "--hosts", "10.0.0.2:9000,10.0.0.3:9000,10.0.0.4:9000",
            "--max-workers", "4", "--max-clients", "500", "--idle-timeout", "30s", "--backups", "1");
        assertEquals(0, result.code, result.err);
        assertHaproxyAccepts(result.out);
        final long perHost = 4 * 500;
        assertFalse(result.out.contains("\n    maxconn "), "no global maxconn: HAProxy follows its fd limit");
        assertTrue(result.out.contains("could take 3 x " + perHost + " = " + 3 * perHost), "the hosts' capacity added up");
        assertTrue(result.out.contains(" maxconn " + perHost + " on-marked-down"), "per server: one host's capacity");
        assertTrue(result.out.contains("timeout client 40s") && result.out.contains("timeout server 40s"), "idle timeout + 10s");
        assertEquals(1, count(section(result.out, "backend mpserver_h2"), " backup track "), "--backups 1");

        final Result lowered = cli("haproxy-config", "--hosts", "10.0.0.2:9000", "--maxconn", "900");
        assertTrue(lowered.out.contains("\n    maxconn 900\n"), lowered.out);
        assertHaproxyAccepts(lowered.out);

        final Result defaults = cli("haproxy-config", "--hosts", "10.0.0.2:9000,10.0.0.3:9000");
        assertTrue(defaults.out.contains("--max-clients " + WorkerConfig.defaultMaxClients(ServerOptions.fdLimit())),
            "by default the hosts' --max-clients is what mpserver picks under this machine's fd limit: " + defaults.out);
        assertHaproxyStarts(defaults.out);
    }

    @Test
    void rtmpsRoutingOnSniAndTheTlsTerminatorAreValidToo() throws Exception
    {
        final Result rtmps = cli("haproxy-config", "--hosts", "10.0.0.2:8935,10.0.0.3:8935",
            "--rtmp-vhosts", "live.a.example=10.0.0.2:443,live.b.example=10.0.0.3:443,Live.C.example=10.0.0.2:443",
            "--rtmps-bind", "127.0.0.1:18443");
        assertEquals(0, rtmps.code, rtmps.err);
        assertHaproxyAccepts(rtmps.out);
        assertTrue(rtmps.out.contains("use_backend rtmps_t0 if { req.ssl_sni -i live.a.example live.c.example }"), rtmps.out);
        assertTrue(rtmps.out.contains("use_backend rtmps_t1 if { req.ssl_sni -i live.b.example }"), rtmps.out);
        assertTrue(rtmps.out.contains("#     live.b.example.  A  10.0.0.3"), "plain RTMP: the vhost's DNS name: " + rtmps.out);

        final Path pem = selfSignedPem();
        final Result terminator = cli("haproxy-config", "--tls-terminator", pem.toString(), "--bind", "127.0.0.1:18444",
            "--hosts", "127.0.0.1:8935", "--max-workers", "2");
        assertEquals(0, terminator.code, terminator.err);
        assertHaproxyAccepts(terminator.out);
        assertTrue(terminator.out.contains("bind 127.0.0.1:18444 ssl crt " + pem), terminator.out);
    }

    @Test
    void badOptionsExitTwoNamingTheProblem() throws Exception
    {
        assertRefused("names 10.0.0.2:1 twice", "haproxy-config", "--hosts", "10.0.0.2:1,10.0.0.2:1");
        assertRefused("is not in 1..65535", "haproxy-config", "--hosts", "10.0.0.2:0");
        assertRefused("is not HOST:PORT", "haproxy-config", "--hosts", "10.0.0.2");
        assertRefused("--backups must be 0..1", "haproxy-config", "--hosts", "10.0.0.2:1,10.0.0.3:1", "--backups", "2");
        assertRefused("exactly one --hosts", "haproxy-config", "--hosts", "10.0.0.2:1,10.0.0.3:1", "--tls-terminator", "x.pem");
        assertRefused("not VHOST=HOST:PORT", "haproxy-config", "--hosts", "10.0.0.2:1", "--rtmp-vhosts", "10.0.0.2:443");
        assertRefused("must be positive", "haproxy-config", "--hosts", "10.0.0.2:1", "--max-clients", "0");
    }

    private void assertRefused(final String reason, final String... args)
    {
        final Result result = cli(args);
        assertEquals(2, result.code, result.err);
        assertTrue(result.err.lines().findFirst().orElse("").contains(reason), result.err);
        assertTrue(result.out.isEmpty(), "nothing printed: " + result.out);
    }

    private void assertHaproxyAccepts(final String config) throws Exception
    {
        Assumptions.assumeTrue(Executables.isInstalled("haproxy"), "haproxy is not installed (.ci/run installs it: apt-get install -y haproxy)");
        final Path file = Files.createTempFile(dir, "haproxy-", ".cfg");
        Files.writeString(file, config);
        final Process check = new ProcessBuilder("haproxy", "-c", "-f", file.toString()).redirectErrorStream(true).start();
        final String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(check.waitFor(30, TimeUnit.SECONDS), "haproxy -c did not finish");
        assertEquals(0, check.exitValue(), output + "\n" + config);
        assertTrue(output.contains("Configuration file is valid"), output);
        assertFalse(output.contains("[WARNING]"), "no warnings either: " + output);
    }

    /** The configuration does not only parse: HAProxy starts with it here (file descriptor limits included). */
    private void assertHaproxyStarts(final String config) throws Exception
    {
        assertHaproxyAccepts(config);
        final int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            port = free.getLocalPort();
        }
        final Path file = Files.createTempFile(dir, "haproxy-", ".cfg");
        Files.writeString(file, config.replace("bind " + HaproxyConfigCommand.DEFAULT_BIND, "bind 127.0.0.1:" + port));
        final Process haproxy = new ProcessBuilder("haproxy", "-db", "-f", file.toString()).redirectErrorStream(true).start();
        try
        {
            assertTrue(eventually(5_000, () -> !haproxy.isAlive() || accepts(port)) && haproxy.isAlive(),
                "haproxy did not start: " + (haproxy.isAlive() ? "" : new String(haproxy.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)));
        }
        finally
        {
            haproxy.destroy(); // by its own process handle: SIGTERM
            assertTrue(haproxy.waitFor(10, TimeUnit.SECONDS) || haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS));
        }
    }

    private Path selfSignedPem() throws IOException, InterruptedException
    {
        Assumptions.assumeTrue(Executables.isInstalled("openssl"), "openssl is not installed");
        final Path key = dir.resolve("key.pem");
        final Path cert = dir.resolve("cert.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=live.a.example",
            "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        final String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, output);
        final Path pem = dir.resolve("live.a.example.pem");
        Files.writeString(pem, Files.readString(cert) + Files.readString(key));
        return pem;
    }


    private static boolean accepts(final int port)
    {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static Result cli(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The lines of one section, from its header to the next blank line. */
    private static String section(final String config, final String header)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(header) + "\\n(.+\\n)*").matcher(config);
        assertTrue(m.find(), "no section " + header + " in " + config);
        return m.group();
    }

    private static int count(final String text, final String needle)
    {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1))
        {
            n++;
        }
        return n;
    }

    private record Result(int code, String out, String err)
    {
    }
}
