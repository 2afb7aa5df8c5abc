package dev.mpserver.master.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.master.cli.MpServer;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class StatCommandTest
{
    @Test
    void statReadsTotalsPerWorkerWhileRunningAndLastValuesAfterTheServerStopped() throws Exception
    {
        final ServerProcess server = ServerProcess.start("--workers", "2");
        try
        {
            for (int i = 0; i < 100; i++)
            {
                try (TestClient client = new TestClient(server.port()))
                {
                    client.join(i);
                }
            }
            // Workers' counters are live; the master's follow within its publishing interval.
            assertTrue(Eventually.eventually(3000, () -> number(stat(server, "--json"), "\"totals\":\\{[^}]*\"messages\":(\\d+)") == 100 &&
                crossedOrTaken(stat(server, "--json")) == 100));
            final String running = stat(server, "--json");
            assertTrue(running.contains("\"master\":{\"pid\":" + server.pid() + ",\"alive\":true"), running);
            assertEquals(2, count(running, "\"slot\":"), "one entry per live worker: " + running);
            // 100 distinct new shards: every client crossed the master once, or was taken by the worker it landed on.
            assertEquals(100, crossedOrTaken(running), running);

            final String table = stat(server);
            assertTrue(table.contains("master pid " + server.pid() + " running"), table);
            assertTrue(table.contains("ok: no signal queue overflow"), table);
        }
        finally
        {
            server.close();
        }
        final String stopped = stat(server, "--json");
        assertTrue(stopped.contains("\"alive\":false"), stopped);
        assertEquals(100, number(stopped, "\"totals\":\\{[^}]*\"messages\":(\\d+)"), "exited workers' messages kept: " + stopped);
        assertTrue(stopped.contains("is not running: these are its last values"), stopped);
    }

    @Test
    void statNamesAHotShardWithItsClientCount() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final java.util.List<TestClient> clients = new java.util.ArrayList<>();
            try
            {
                for (int i = 0; i < 150; i++)
                {
                    clients.add(new TestClient(server.port()).join(7));
                }
                for (int i = 0; i < 10; i++)
                {
                    clients.add(new TestClient(server.port()).join(1000 + i));
                }
                assertTrue(Eventually.eventually(3000, () -> number(stat(server, "--json"), "\"totals\":\\{[^}]*\"busiestShardClients\":(\\d+)") == 150));
                final String json = stat(server, "--json");
                assertEquals(7, number(json, "\"totals\":\\{[^}]*\"busiestShard\":(\\d+)"), json);
                assertTrue(json.contains("HOT SHARD: shard 7 has 150 of the"), json);
            }
            finally
            {
                for (final TestClient client : clients)
                {
                    client.close();
                }
            }
        }
    }

    @Test
    void aServerRestartsOnTheRunDirOfAnEarlierOneAndStatShowsOnlyTheNewOne() throws Exception
    {
        final java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target"), "rundir-");
        for (int run = 0; run < 2; run++)
        {
            try (ServerProcess server = ServerProcess.start("--workers", "1", "--run-dir", dir.toAbsolutePath().toString()))
            {
                try (TestClient client = new TestClient(server.port()))
                {
                    client.join(run);
                }
                assertTrue(Eventually.eventually(3000, () ->
                    number(statOf(dir, "--json"), "\"totals\":\\{[^}]*\"messages\":(\\d+)") == 1), "counts of this run only");
                assertEquals(1, count(statOf(dir, "--json"), "\"slot\":"), "only this run's worker");
            }
        }
    }

    private static String statOf(final java.nio.file.Path dir, final String... extra)
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = new CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        final String[] args = new String[3 + extra.length];
        args[0] = "stat";
        args[1] = "--run-dir";
        args[2] = dir.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    private static String stat(final ServerProcess server, final String... extra)
    {
        return statOf(server.runDir(), extra);
    }

    /** Clients that crossed the master (its hand-offs in) plus shards the workers took themselves. */
    private static long crossedOrTaken(final String json)
    {
        return number(json, "\"handoffsIn\":(\\d+)") + number(json, "\"totals\":\\{[^}]*\"shardsClaimed\":(\\d+)");
    }

    private static long number(final String text, final String regex)
    {
        final Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
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
}
