package dev.mpserver.master.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.mpserver.master.cli.MpServer;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClusterStatCommandTest
{
    @TempDir
    Path copies;

    @Test
    void addsUpTheCountersOfSeveralHostsAndNamesAHostThatStopped() throws Exception
    {
        try (ServerProcess a = ServerProcess.start("--workers", "1"); ServerProcess b = ServerProcess.start("--workers", "2"))
        {
            joinAndLeave(a, 30, 0);
            joinAndLeave(b, 50, 1000);
            final String runDirs = "a=" + a.runDir() + ",b=" + b.runDir();
            assertTrue(Eventually.eventually(5000, () -> row(clusterStat(runDirs), "messages").equals(" 80 30 50")),
                clusterStat(runDirs));
            final String table = clusterStat(runDirs);
            assertEquals(" 3 1 2", row(table, "workers"), "live workers, per host and in all: " + table);
            assertEquals(List.of(80L, 30L, 50L), crossedOrTaken(table), "every client was a new shard: " + table);
            assertTrue(table.contains("2 hosts, 2 running"), table);
            assertTrue(table.contains("ok: every host's master is running."), table);

            // What another machine's hosts look like: their run dirs copied here, pids that mean nothing here.
            copy(a.runDir(), copies.resolve("a"));
            copy(b.runDir(), copies.resolve("b"));
            final String copied = clusterStat("a=" + copies.resolve("a") + ",b=" + copies.resolve("b"), "--copied");
            assertEquals(" 80 30 50", row(copied, "messages"), copied);
            assertEquals(" 3 1 2", row(copied, "workers"), copied);

            b.close();
            final String afterStop = clusterStat(runDirs);
            assertTrue(afterStop.contains("2 hosts, 1 running"), afterStop);
            assertEquals(" 80 30 50", row(afterStop, "messages"), "a stopped host keeps its counts: " + afterStop);
            assertEquals(" 1 1 0", row(afterStop, "workers"), "but adds no live workers: " + afterStop);
            assertTrue(afterStop.contains("b: its master is not running"), afterStop);
        }
    }

    @Test
    void refusesARunDirThatIsNoDirectory()
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new MpServer());
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("cluster-stat", "--run-dirs", copies.resolve("nothing").toString()));
        assertTrue(err.toString().contains("is no directory"), err.toString());
    }

    /** Per column: clients that crossed a master plus shards its workers took themselves. */
    private static List<Long> crossedOrTaken(final String table)
    {
        final long[] crossed = Arrays.stream(row(table, "hand-offs in").trim().split("\\s+")).mapToLong(Long::parseLong).toArray();
        final long[] taken = Arrays.stream(row(table, "shards taken here (no master)").trim().split("\\s+"))
            .mapToLong(Long::parseLong).toArray();
        final List<Long> sums = new ArrayList<>();
        for (int i = 0; i < crossed.length; i++)
        {
            sums.add(crossed[i] + taken[i]);
        }
        return sums;
    }

    private static void joinAndLeave(final ServerProcess server, final int clients, final int firstShard) throws IOException
    {
        for (int i = 0; i < clients; i++)
        {
            try (TestClient client = new TestClient(server.port()))
            {
                client.join(firstShard + i);
            }
        }
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (file.getFileName().toString().endsWith(".counters"))
                {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        }
    }

    private static String clusterStat(final String runDirs, final String... extra)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        final String[] args = new String[3 + extra.length];
        args[0] = "cluster-stat";
        args[1] = "--run-dirs";
        args[2] = runDirs;
        System.arraycopy(extra, 0, args, 3, extra.length);
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    /** The numbers of a counter's row: cluster, then each host, each after one space. */
    private static String row(final String table, final String label)
    {
        final Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +((?: +\\d+)+)$").matcher(table);
        return m.find() ? m.group(1).replaceAll(" +", " ") : "(no row " + label + ")";
    }
}
