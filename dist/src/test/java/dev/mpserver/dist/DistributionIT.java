package dev.mpserver.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.protocol.launch.ReadyLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The distribution, installed and run as a user would: the tarball {@code mvn package} built,
 * extracted with tar into a temporary directory outside the tree, its commands run from there on
 * the JDK of the PATH (and of JAVA_HOME where another one is installed). Servers listen on
 * 127.0.0.1 on a free port; everything started is stopped by pid.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DistributionIT
{
    /** date, time, [pid role], level, logger, message: master and workers alike. */
    private static final Pattern LOG_LINE =
        Pattern.compile("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[(\\d+) (master|worker)\\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) \\S+ .+");
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    private static final String VERSION = System.getProperty("mpserver.test.project.version");
    private static final int CLIENTS = 1000;

    private static Installation installation;

    @BeforeAll
    static void extract() throws Exception
    {
        installation = Installation.extract(Path.of(System.getProperty("mpserver.dist.tarball")));
    }

    @AfterAll
    static void remove() throws IOException
    {
        if (null != installation)
        {
            installation.close();
        }
    }

    @Test
    @Order(1)
    void theTarballHoldsLaunchersLibrariesConfigurationUnitsAndTheReadme() throws IOException
    {
        final Path home = installation.home();
        assertEquals("mpserver-" + VERSION, home.getFileName().toString());
        for (final String launcher : List.of("bin/mpserver", "bin/loadgen"))
        {
            assertTrue(Files.isExecutable(home.resolve(launcher)), launcher);
        }
        for (final String file : List.of("conf/log4j2.xml", "conf/loadgen-log4j2.xml", "conf/mpserver.args", "lib/launcher.sh",
            "systemd/mpserver.service", "systemd/mpserver-metrics.service", "README.md",
            "lib/mpserver-master-" + VERSION + ".jar", "lib/mpserver-loadgen-" + VERSION + ".jar", "lib/jni/x86_64-Linux/libjffi-1.2.so"))
        {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        try (var archives = Files.newDirectoryStream(home.resolve("lib"), "worker*.jsa"))
        {
            assertFalse(archives.iterator().hasNext(), "an archive made for the build's paths would be refused");
        }
    }

    @Test
    @Order(2)
    void everyCommandPrintsTheBuildsVersion() throws Exception
    {
        // every subcommand's --version is checked in-process by the master's and loadgen's tests; here the launchers'
        for (final List<String> command : List.of(List.of("mpserver"), List.of("mpserver", "stat"), List.of("loadgen", "run")))
        {
            final List<String> args = new ArrayList<>(command.subList(1, command.size()));
            args.add("--version");
            final Installation.Result result = installation.run(command.get(0), args, 60);
            assertEquals(0, result.exit(), command + ": " + result);
            final String first = result.out().lines().findFirst().orElse("");
            assertTrue(first.matches(Pattern.quote(String.join(" ", command) + " " + VERSION + " (commit ") + "([0-9a-f]{12}|unknown)(, modified)?\\)"),
                command + " --version: " + first);
            assertTrue(result.out().contains("Java " + System.getProperty("java.version")), result.out());
        }
    }

    @Test
    @Order(3)
    void checkStartLoadReloadReopenQuit() throws Exception
    {
        final int port = Installation.freePort();
        final String p = Integer.toString(port);
        final Path logs = Files.createDirectory(installation.root().resolve("logs"));
        final Path log = logs.resolve("mpserver.log");
        // No standby (one starts 5 s after the pool is warm on defaults): the checks below count the workers.
        final List<String> serverOptions = List.of("--port", p, "--workers", "2", "--standby", "0", "--log-file", log.toString());

        final Installation.Result check = installation.run("mpserver", prepend("check", serverOptions), 60);
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().strip().endsWith("mpserver check: successful"), check.out());
        assertTrue(check.out().contains("127.0.0.1:" + port + " is free"), check.out());

        final Process server = installation.start("mpserver", serverOptions, "server");
        final ReadyLine ready = awaitReadyLine("server", server);
        final int masterPid = (int)ready.pid();
        assertEquals(server.pid(), masterPid, "the ready line names the process we started (re-executed in place)");
        final Path runDir = installation.runtimeDir().resolve("mpserver-" + port);
        assertEquals(p, Integer.toString(ready.port()));
        assertEquals(Integer.toString(masterPid), Files.readString(runDir.resolve("master.pid")).strip());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir)));

        final Set<Long> workers = new HashSet<>(children(server));
        assertEquals(2, workers.size(), "two workers");
        // the first start made the workers' class-data archive for this installation and JDK, and they use it
        final Path archive;
        try (var archives = Files.newDirectoryStream(installation.home().resolve("lib"), "worker-*.jsa"))
        {
            final List<Path> made = new ArrayList<>();
            archives.forEach(made::add);
            assertEquals(1, made.size(), "lib/worker-<JDK>.jsa made at the first start: " + made);
            archive = made.get(0);
        }
        for (final long worker : workers)
        {
            assertTrue(commandLine(worker).contains("-XX:SharedArchiveFile=" + archive), "worker " + worker + ": " + commandLine(worker));
        }

        final Installation.Result busy = installation.run("mpserver", prepend("check", serverOptions), 60);
        assertEquals(2, busy.exit(), busy.toString());
        assertEquals(1, busy.err().lines().count(), "one line: " + busy.err());
        assertTrue(busy.err().contains("port " + port + " is already in use"), busy.err());

        // 1000 clients, each staying connected 20 s after its messages and 'I': through the reload and the quit
        final Path report = installation.root().resolve("loadgen.json");
        final Process loadgen = installation.start("loadgen", List.of("run", "--port", p, "--conns", Integer.toString(CLIENTS),
            "--rate", "1000", "--msgs", "5", "--ids", "random", "--shards", "200", "--verify", "--expect-all", "--hold", "20s",
            "--timeout", "30s", "--progress", "off", "--json", report.toString()), "loadgen");
        assertTrue(Eventually.eventually(60_000, () -> statJson(p).path("totals").path("clients").asLong() == CLIENTS),
            "all " + CLIENTS + " clients connected and routed: " + statJson(p));

        final String openMetrics = stat(p, "--format", "openmetrics");
        final Map<String, MetricsText.Family> metrics = MetricsText.parse(openMetrics, MetricsText.Flavour.OPENMETRICS);
        assertEquals(VERSION, metrics.get("mpserver_build").samples().get(0).labels().get("version"));
        assertEquals(1, metrics.get("mpserver_master_up").value("mpserver_master_up"));
        assertEquals(CLIENTS, metrics.get("mpserver_clients").value("mpserver_clients"), openMetrics);
        assertTrue(metrics.get("mpserver_accepts").value("mpserver_accepts_total") >= CLIENTS, openMetrics);
        assertEquals(2, metrics.get("mpserver_worker_up").samples().size(), openMetrics);
        double perWorker = 0;
        for (final MetricsText.Sample sample : metrics.get("mpserver_worker_clients").samples())
        {
            assertTrue(workers.contains(Long.parseLong(sample.labels().get("pid"))), sample.toString());
            perWorker += sample.value();
        }
        assertEquals(CLIENTS, perWorker, "per-worker series add up to the total");
        final Map<String, MetricsText.Family> prometheus = MetricsText.parse(stat(p, "--format", "prometheus"), MetricsText.Flavour.PROMETHEUS);
        assertEquals("counter", prometheus.get("mpserver_accepts_total").type());

        // logrotate moves the file away; reopen gives master and workers a new one
        Files.move(log, logs.resolve("mpserver.log.1"));
        assertEquals(0, installation.run("mpserver", List.of("signal", "reopen", "--port", p), 60).exit());
        assertTrue(Eventually.eventually(10_000, () -> Files.exists(log)), "reopened");

        // jars replaced under the running server (an upgrade): a reload would start workers of another
        // build under this master, so it is refused and the running workers keep serving; put back, it goes
        final Path jar;
        try (var jars = Files.newDirectoryStream(installation.home().resolve("lib"), "mpserver-protocol-*.jar"))
        {
            jar = jars.iterator().next();
        }
        final FileTime installed = Files.getLastModifiedTime(jar);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(installed.toMillis() + 60_000));
        assertEquals(0, installation.run("mpserver", List.of("signal", "reload", "--port", p), 60).exit());
        assertTrue(Eventually.eventually(10_000, () -> statJson(p).path("master").path("reloadsRefused").asLong() == 1),
            "the reload refused: " + statJson(p));
        assertTrue(Files.readString(log).contains("SIGHUP refused: the workers' jars changed since this master started (" + jar),
            Files.readString(log));
        assertEquals(workers, new HashSet<>(children(server)), "the same two workers serve");
        Files.setLastModifiedTime(jar, installed);

        final Installation.Result reload = installation.run("mpserver", List.of("signal", "reload", "--port", p), 60);
        assertEquals(0, reload.exit(), reload.toString());
        assertTrue(Eventually.eventually(60_000, () -> newWorkers(server, workers).size() == 2), "a new generation of two workers");
        workers.addAll(children(server));
        for (final long worker : workers)
        {
            ProcessHandle.of(worker).ifPresent(installation::remember);
        }

        final Installation.Result quit = installation.run("mpserver", List.of("signal", "quit", "--port", p, "--wait", "90s"), 120);
        assertEquals(0, quit.exit(), quit.toString());
        assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the master exited");
        assertEquals(0, server.exitValue(), installation.output("server", "err"));
        assertTrue(loadgen.waitFor(60, TimeUnit.SECONDS), "loadgen finished");
        assertEquals(0, loadgen.exitValue(), "every client served: " + installation.output("loadgen", "out") + installation.output("loadgen", "err"));
        final JsonNode result = new ObjectMapper().readTree(report.toFile());
        assertEquals(CLIENTS, result.path("connections").path("ok").asLong());
        assertTrue(result.path("verify").path("routingCorrect").asBoolean(), result.path("verify").toString());
        for (final long worker : workers)
        {
            assertFalse(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false), "worker " + worker + " left running");
        }
        assertFalse(Files.exists(runDir.resolve("master.pid")), "the pid file goes with the server");

        // one line format for master and workers, in both files; the workers wrote to the reopened one
        final String rotated = Files.readString(logs.resolve("mpserver.log.1"));
        final String current = Files.readString(log);
        assertLogLines(rotated);
        assertLogLines(current);
        assertTrue(Pattern.compile("\\[" + masterPid + " master\\] INFO \\S+ spawned worker").matcher(rotated).find(), rotated);
        assertTrue(current.contains("SIGUSR1: log file " + log + " reopened; 2 workers told"), current);
        assertTrue(Pattern.compile("\\[\\d+ worker\\] INFO \\S+ worker \\d+: QUIT, draining").matcher(current).find(),
            "an old worker's lines after the reopen: " + current);
        assertLogLines(installation.output("server", "err"));
    }

    @Test
    @Order(4)
    void theSystemdUnitsVerify() throws Exception
    {
        final boolean systemd = Installation.run(List.of("sh", "-c", "command -v systemd-analyze"), Map.of(), 30).exit() == 0;
        assumeTrue(systemd, "systemd-analyze is not installed here: the unit files are not verified");
        final Path units = Files.createDirectory(installation.root().resolve("units"));
        final List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        for (final String unit : List.of("mpserver.service", "mpserver-metrics.service"))
        {
            final String text = Files.readString(installation.home().resolve("systemd").resolve(unit));
            assertTrue(text.contains("/opt/mpserver/"), unit + " is written for /opt/mpserver");
            // installed elsewhere, as the unit's comment says: the same unit with this installation's paths
            Files.writeString(units.resolve(unit), text.replace("/opt/mpserver", installation.home().toString()));
            command.add(units.resolve(unit).toString());
        }
        final Installation.Result verify = Installation.run(command, Map.of(), 60);
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals("", verify.err().strip(), "no complaint: " + verify);
    }

    @Test
    @Order(5)
    void aJavaOlderThan17IsRefusedInOneLine() throws Exception
    {
        final Path oldJdk = Files.createDirectories(installation.root().resolve("old-jdk/bin"));
        Files.writeString(oldJdk.resolveSibling("release"), "JAVA_VERSION=\"11.0.2\"\n");
        final Path java = Files.writeString(oldJdk.resolve("java"), "#!/bin/sh\necho should not run >&2\nexit 99\n");
        java.toFile().setExecutable(true);
        for (final String command : List.of("mpserver", "loadgen"))
        {
            final Installation.Result result = installation.run(command, List.of("--version"),
                Map.of("JAVA_HOME", oldJdk.getParent().toString()), 30);
            assertEquals(2, result.exit(), result.toString());
            assertEquals(1, result.err().lines().count(), result.toString());
            assertTrue(result.err().contains("Java 11.0.2; " + command + " needs 17 or newer"), result.err());
        }
    }

    @Test
    @Order(6)
    void runsOnTheJdkOfJavaHomeToo() throws Exception
    {
        assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin/java")), "no second JDK (" + TEMURIN_25 + ") to run it on");
        final Map<String, String> jdk25 = Map.of("JAVA_HOME", TEMURIN_25.toString());
        final Installation.Result version = installation.run("mpserver", List.of("--version"), jdk25, 60);
        assertTrue(version.out().contains("Java 25"), version.toString());
        final String p = Integer.toString(Installation.freePort());
        final Process server = installation.start("mpserver", List.of("--port", p, "--workers", "1", "--standby", "0"), jdk25, "server25");
        awaitReadyLine("server25", server);
        for (final long worker : children(server))
        {
            ProcessHandle.of(worker).ifPresent(installation::remember);
        }
        final Installation.Result load = installation.run("loadgen",
            List.of("--port", p, "--conns", "100", "--msgs", "3", "--verify", "--expect-all", "--progress", "off"), jdk25, 120);
        assertEquals(0, load.exit(), load.toString());
        assertEquals(0, installation.run("mpserver", List.of("signal", "stop", "--port", p, "--wait"), jdk25, 60).exit());
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, server.exitValue());
        final String stderr = installation.output("server25", "err");
        assertFalse(stderr.contains("WARNING"), "JDK 25 has nothing to warn about (native access, Unsafe): " + stderr);
        assertLogLines(stderr);
        assertFalse(load.err().contains("WARNING"), load.err());
    }

    // ---------------------------------------------------------------- helpers

    private static ReadyLine awaitReadyLine(final String name, final Process server) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // the first start makes the archive
        while (System.nanoTime() < deadline)
        {
            final ReadyLine ready = ReadyLine.find(installation.output(name, "out"));
            if (null != ready)
            {
                return ready;
            }
            if (!server.isAlive())
            {
                fail("mpserver exited with " + server.exitValue() + ": " + installation.output(name, "err"));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("mpserver not ready: " + installation.output(name, "err"));
    }

    private static String stat(final String port, final String... options)
    {
        try
        {
            final Installation.Result result = installation.run("mpserver", prepend("stat", List.of(options), "--port", port), 60);
            assertEquals(0, result.exit(), result.toString());
            return result.out();
        }
        catch (final IOException | InterruptedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static JsonNode statJson(final String port)
    {
        try
        {
            return new ObjectMapper().readTree(stat(port, "--format", "json"));
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private static List<Long> children(final Process process)
    {
        return process.children().map(ProcessHandle::pid).toList();
    }

    private static Set<Long> newWorkers(final Process server, final Set<Long> old)
    {
        final Set<Long> fresh = new HashSet<>(children(server));
        fresh.removeAll(old);
        return fresh;
    }

    private static String commandLine(final long pid) throws IOException
    {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    private static void assertLogLines(final String text)
    {
        for (final String line : text.lines().toList())
        {
            assertTrue(LOG_LINE.matcher(line).matches(), "not in the log line format: '" + line + "'");
        }
    }

    private static List<String> prepend(final String first, final List<String> rest, final String... more)
    {
        final List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        all.addAll(List.of(more));
        return all;
    }
}
