package dev.mpserver.master.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.master.cli.MpServer;
import dev.mpserver.protocol.build.BuildInfo;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.rundir.PidFile;
import dev.mpserver.testkit.CommandProcess;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every failure of an mpserver command is one line on stderr and status 2, never a stack trace;
 * run directories and pid files that must not be used are refused; --version and the exit codes
 * are there on every command.
 */
class CommandLineTest
{
    @TempDir
    Path tmp;

    @Test
    void badOptionsFailInOneLine() throws Exception
    {
        final CommandProcess idle = CommandProcess.run("--idle-timeout", "0", "--port", "0");
        assertTrue(idle.failedInOneLine("mpserver"), idle.toString());
        assertTrue(idle.err().contains("--idle-timeout must be at least 1ms, got 0ms"), idle.err());
        final CommandProcess tooMany = CommandProcess.run("--max-workers", "40000", "--port", "0");
        assertTrue(tooMany.failedInOneLine("mpserver"), tooMany.toString());
        assertTrue(tooMany.err().contains("--max-workers must be at most 32767, got 40000"), tooMany.err());
        assertOneLineUsageError("mpserver", "--no-such-option");
        assertOneLineUsageError("mpserver", "--port", "0", "--workers", "0", "--standby", "1"); // single-process: nobody to stand by for
        assertOneLineUsageError("mpserver", "--port", "0", "--workers", "2", "--max-workers", "2", "--standby", "1");
        assertOneLineUsageError("mpserver", "--port", "0", "--workers", "2", "--standby", "-1");
        assertOneLineUsageError("mpserver", "--port", "0", "--workers", "2", "--standby-delay", "-1s");
        assertOneLineUsageError("mpserver stat", "stat", "--format", "xml");
        assertOneLineUsageError("mpserver signal", "signal", "restart");
        assertOneLineUsageError("mpserver check", "check", "--port", "70000");
    }

    /** Without --standby: one standby when there are workers and --max-workers has room for it, else none (given, it is checked: above). */
    @Test
    void theDefaultStandbyFitsTheWorkers() throws Exception
    {
        assertCheckSays("options ok: 2 workers and 1 standby (at most 64)", "--workers", "2");
        assertCheckSays("options ok: 2 workers (at most 2)", "--workers", "2", "--max-workers", "2");
    }

    private void assertCheckSays(final String line, final String... options) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("check", "--port", "0", "--run-dir", tmp.resolve("run").toString()));
        args.addAll(List.of(options));
        final CommandProcess check = CommandProcess.run(args.toArray(String[]::new));
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains(line), check.out());
    }

    /** Every duration option takes what loadgen's do: issue 13 found --idle-timeout 1h refused while loadgen --duration 1h ran. */
    @Test
    void durationOptionsTakeEveryUnitLoadgenTakes()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = MpServer.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("check", "--port", "0", "--workers", "0", "--idle-timeout", "1h",
            "--drain-timeout", "1.5m", "--linger-timeout", "2500ms", "--shard-ttl", "0.5h", "--grace-period", "3"), err.toString());
        assertOneLineUsageError("mpserver check", "check", "--port", "0", "--idle-timeout", "-1s");
        assertOneLineUsageError("mpserver check", "check", "--port", "0", "--grace-period", "soon");
    }

    /** A usage error, in-process: what a process would print on stderr before exiting with the status. */
    private static void assertOneLineUsageError(final String command, final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = MpServer.commandLine();
        commandLine.setErr(new PrintWriter(err));
        assertEquals(2, commandLine.execute(args), String.join(" ", args));
        final List<String> lines = err.toString().strip().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.get(0).startsWith(command + ": ") && lines.get(0).endsWith("(see '" + command + " --help')"), lines.get(0));
    }

    @Test
    void anUnwritableRunDirectoryOrLogFileFailsInOneLine() throws Exception
    {
        final CommandProcess runDir = CommandProcess.run("--port", "0", "--workers", "1", "--run-dir", "/proc/mpserver-test");
        assertTrue(runDir.failedInOneLine("mpserver"), runDir.toString());
        assertTrue(runDir.err().contains("cannot create run directory /proc/mpserver-test"), runDir.err());
        final CommandProcess logFile = CommandProcess.run("--port", "0", "--workers", "0", "--run-dir", tmp.resolve("run").toString(),
            "--log-file", "/proc/no-such-dir/mpserver.log");
        assertTrue(logFile.failedInOneLine("mpserver"), logFile.toString());
        assertTrue(logFile.err().contains("--log-file /proc/no-such-dir/mpserver.log"), logFile.err());
    }

    @Test
    void aPortInUseFailsInOneLineAndCheckSaysSoToo() throws Exception
    {
        try (ServerSocket taken = new ServerSocket())
        {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            final String port = Integer.toString(taken.getLocalPort());
            final CommandProcess start = CommandProcess.run("--port", port, "--workers", "0", "--run-dir", tmp.resolve("run").toString());
            assertTrue(start.failedInOneLine("mpserver"), start.toString());
            assertTrue(start.err().contains("port " + port + " is already in use"), start.err());
            final CommandProcess check = CommandProcess.run("check", "--port", port, "--run-dir", tmp.resolve("run").toString());
            assertTrue(check.failedInOneLine("mpserver check"), check.toString());
        }
    }

    @Test
    void runDirectoriesOthersCouldHavePreparedAreRefused() throws Exception
    {
        final Path real = Files.createDirectory(tmp.resolve("real"));
        final Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        final CommandProcess symlink = CommandProcess.run("--port", "0", "--workers", "0", "--run-dir", link.toString());
        assertTrue(symlink.failedInOneLine("mpserver"), symlink.toString());
        assertTrue(symlink.err().contains("is a symbolic link: refusing it"), symlink.err());

        final Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        final CommandProcess open = CommandProcess.run("--port", "0", "--workers", "1", "--run-dir", shared.toString());
        assertTrue(open.failedInOneLine("mpserver"), open.toString());
        assertTrue(open.err().contains("is writable by group or others (mode 0777)"), open.err());
        final CommandProcess check = CommandProcess.run("check", "--port", "0", "--run-dir", shared.toString());
        assertTrue(check.failedInOneLine("mpserver check"), check.toString());

        assumeTrue(Posix.process().geteuid() == 0, "needs root to give a directory to another user");
        final Path foreign = Files.createDirectory(tmp.resolve("foreign"));
        final Process chown = new ProcessBuilder("chown", "65534", foreign.toString()).start();
        assertTrue(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0, "chown");
        final CommandProcess other = CommandProcess.run("--port", "0", "--workers", "0", "--run-dir", foreign.toString());
        assertTrue(other.failedInOneLine("mpserver"), other.toString());
        assertTrue(other.err().contains("belongs to uid 65534, not to this user"), other.err());
    }

    @Test
    void aStalePidFileIsReportedBySignalAndReplacedByTheNextStartAndALiveOneRefusesASecondServer() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("run"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        PidFile.write(dir, gone.pid());

        final CommandProcess stale = CommandProcess.run("signal", "stop", "--run-dir", dir.toString());
        assertTrue(stale.failedInOneLine("mpserver signal"), stale.toString());
        assertTrue(stale.err().contains("stale pid file " + dir.resolve("master.pid") + ": pid " + gone.pid() + " is not a running mpserver"),
            stale.err());

        try (ServerProcess server = ServerProcess.start("--workers", "1", "--run-dir", dir.toString()))
        {
            assertEquals(server.pid(), PidFile.read(dir), "the stale file replaced");
            assertTrue(server.log().contains("stale pid file " + dir.resolve("master.pid") + ": pid " + gone.pid()), server.log());
            final CommandProcess second = CommandProcess.run("--port", "0", "--workers", "0", "--run-dir", dir.toString());
            assertTrue(second.failedInOneLine("mpserver"), second.toString());
            assertTrue(second.err().contains("another mpserver (pid " + server.pid() + ") runs with run directory"), second.err());

            final CommandProcess quit = CommandProcess.run("signal", "quit", "--run-dir", dir.toString(), "--wait", "30s");
            assertEquals(0, quit.exit(), quit.toString());
            assertEquals(0, server.awaitExit(10, TimeUnit.SECONDS));
            assertEquals(List.of(), server.survivingWorkers());
        }
        assertEquals(PidFile.NONE, PidFile.read(dir), "removed at exit");
        final CommandProcess none = CommandProcess.run("signal", "reload", "--run-dir", dir.toString());
        assertTrue(none.failedInOneLine("mpserver signal"), none.toString());
        assertTrue(none.err().contains("no pid file"), none.err());
    }

    @Test
    void aSingleProcessServerTakesStopAndReopenAndRefusesTheRest() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "0"))
        {
            final String dir = server.runDir().toString();
            final CommandProcess reload = CommandProcess.run("signal", "reload", "--run-dir", dir);
            assertTrue(reload.failedInOneLine("mpserver signal"), reload.toString());
            assertTrue(reload.err().contains("single-process mode"), reload.err());
            assertEquals(0, CommandProcess.run("signal", "reopen", "--run-dir", dir).exit());
            assertTrue(Eventually.eventually(5000, () -> server.logContains("SIGUSR1: no --log-file to reopen")), "USR1 is taken, not fatal");
            assertTrue(server.isAlive());
            assertEquals(0, CommandProcess.run("signal", "stop", "--run-dir", dir, "--wait").exit());
            assertTrue(!server.isAlive() || server.awaitExit(10, TimeUnit.SECONDS) >= 0);
        }
    }

    @Test
    void statReportsCorruptCountersFilesAndNeverCrashes() throws Exception
    {
        final Path dir = Files.createDirectory(tmp.resolve("run"));
        try (CountersFile worker = CountersFile.forWorker(dir, 4242, 0))
        {
            worker.counter(WorkerCounter.MESSAGES.ordinal()).setOrdered(9);
            worker.heartbeat();
        }
        Files.write(dir.resolve(CountersFile.MASTER_FILE), new byte[10]);
        Files.write(dir.resolve("worker-77.counters"), new byte[CountersFile.FILE_LENGTH]);
        final byte[] version99 = new byte[CountersFile.FILE_LENGTH];
        version99[0] = 99;
        Files.write(dir.resolve("worker-78.counters"), version99);
        final CommandProcess table = CommandProcess.run("stat", "--run-dir", dir.toString());
        assertEquals(0, table.exit(), table.toString());
        assertTrue(table.out().contains("UNREADABLE: master.counters is 10 bytes long"), table.out());
        assertTrue(table.out().contains("UNREADABLE: worker-78.counters has layout version 99"), table.out());
        assertTrue(table.out().contains(" 9 "), "the good worker's messages: " + table.out());
        final CommandProcess metrics = CommandProcess.run("stat", "--run-dir", dir.toString(), "--format", "openmetrics");
        assertTrue(metrics.out().contains("\nmpserver_stat_unreadable_files 2\n"), metrics.out());
        assertTrue(metrics.out().contains("\nmpserver_messages_total 9\n"), metrics.out());

        final Path empty = Files.createDirectory(tmp.resolve("empty"));
        final CommandProcess none = CommandProcess.run("stat", "--run-dir", empty.toString());
        assertTrue(none.failedInOneLine("mpserver stat"), none.toString());
        final CommandProcess missing = CommandProcess.run("stat", "--run-dir", tmp.resolve("missing").toString());
        assertTrue(missing.failedInOneLine("mpserver stat"), missing.toString());
    }

    @Test
    void optionsComeFromAnArgumentFileForCheckAndForAServerThatReExecutesItself() throws Exception
    {
        final Path args = Files.writeString(tmp.resolve("mpserver.args"),
            "# as conf/mpserver.args\n--workers 1\n--max-clients 10   --idle-timeout 30s\n");
        final CommandProcess check = CommandProcess.run("check", "--port", "0", "--run-dir", tmp.resolve("run").toString(), "@" + args);
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().contains("options ok: 1 worker and 1 standby (at most 64), 10 clients per worker at most"), check.out());
        try (ServerProcess server = ServerProcess.start("@" + args))
        {
            assertEquals(1, server.workerPids().size(), "the re-executed master read the file again");
        }
    }

    @Test
    void everyCommandHasVersionAndExitCodesInItsHelp()
    {
        for (final String command : List.of("", "stat", "signal", "check", "cds-archive", "cluster-stat", "haproxy-config"))
        {
            final String[] version = command.isEmpty() ? new String[] {"--version"} : new String[] {command, "--version"};
            final String printed = execute(version);
            final String name = command.isEmpty() ? "mpserver" : "mpserver " + command;
            assertTrue(printed.startsWith(name + " " + System.getProperty("mpserver.test.project.version") + " (commit " +
                BuildInfo.current().commit()), printed);
            final String help = execute(command.isEmpty() ? new String[] {"--help"} : new String[] {command, "--help"});
            assertTrue(help.contains("Exit status:") && help.contains("  2   "), name + " --help lists its exit codes: " + help);
        }
        assertTrue(execute("--help").contains("@FILE"), "argument files are documented");
    }

    private static String execute(final String... args)
    {
        final StringWriter out = new StringWriter();
        final CommandLine commandLine = MpServer.commandLine();
        commandLine.setOut(new PrintWriter(out));
        assertEquals(0, commandLine.execute(args), String.join(" ", args));
        return out.toString();
    }
}
