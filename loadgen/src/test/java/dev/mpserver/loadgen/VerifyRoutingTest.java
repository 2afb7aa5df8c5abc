package dev.mpserver.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.VerifyResult;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VerifyRoutingTest
{
    private static LoadConfig.Builder verifyingRun(final ProtocolTestServer server)
    {
        // 10 messages/s: each client is in its worker for 0.2 s between its first reply and its 'I', so
        // that clients of a shard answered by two pids overlap, which is what a split is.
        return LoadConfig.builder(server.port()).seed(1).conns(20).msgs(3).msgRate(10).verify(true).expectAll(true)
            .shardIds(ShardIds.range(0, 4)).timeout(5, TimeUnit.SECONDS).duration(20, TimeUnit.SECONDS);
    }

    @Test
    void correctRoutingHasNoSplitShards() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Report report = new LoadGenRun(verifyingRun(server).build()).call();
            server.awaitIdle(5_000);

            final VerifyResult verify = report.verify();
            assertNotNull(verify);
            assertEquals(20, verify.identified());
            assertEquals(server.identifies.get(), report.identifySent());
            assertEquals(5, verify.shards());
            assertEquals(0, verify.splitShards());
            assertEquals(0, verify.mismatchedClients());
            assertEquals(1, verify.workers().size());
            assertEquals(ProtocolTestServer.DEFAULT_PID, verify.workers().get(0).pid());
            assertEquals(20, verify.workers().get(0).clients());
            assertEquals(5, verify.workers().get(0).shards());
            assertTrue(report.allSucceeded());
            assertEquals(Report.EXIT_OK, report.exitCode());
        }
    }

    @Test
    void misroutingServerIsCaught() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            // Two "workers" taking each shard's clients alternately: every shard (4 clients each) is split.
            final Map<Integer, AtomicInteger> clientsOfShard = new ConcurrentHashMap<>();
            server.identify((shard, serial) -> new int[] {
                1000 + clientsOfShard.computeIfAbsent(shard, s -> new AtomicInteger()).getAndIncrement() % 2, shard});
            final Report report = new LoadGenRun(verifyingRun(server).build()).call();

            final VerifyResult verify = report.verify();
            assertEquals(20, verify.identified());
            assertEquals(5, verify.splitShards());
            assertEquals(0, verify.mismatchedClients());
            assertEquals(2, verify.workers().size());
            assertFalse(verify.splitExamples().isEmpty());
            assertEquals(2, verify.splitExamples().get(0).pids().size());
            assertEquals(20, report.ok(), "the connections themselves all succeeded");
            assertFalse(report.allSucceeded());
            assertEquals(Report.EXIT_EXPECTATION_FAILED, report.exitCode());
        }
    }

    @Test
    void clientOnTheWrongShardIsCaught() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.identify((shard, serial) -> new int[] {ProtocolTestServer.DEFAULT_PID, serial == 7 ? shard + 1 : shard});
            final Report report = new LoadGenRun(verifyingRun(server).build()).call();

            assertEquals(0, report.verify().splitShards());
            assertEquals(1, report.verify().mismatchedClients());
            assertEquals(Report.EXIT_EXPECTATION_FAILED, report.exitCode());
        }
    }

    @Test
    void commandLineExitsNonZeroOnASplitShardAndReportsItInJson(@TempDir final Path dir) throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.identify((shard, serial) -> new int[] {1000 + (int)(serial % 3), shard});
            final Path json = dir.resolve("report.json");
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int exit = LoadGen.execute(new PrintWriter(out), new PrintWriter(err),
                "--port", Integer.toString(server.port()), "--conns", "12", "--msgs", "2", "--msg-rate", "10", "--ids", "fixed:7",
                "--verify", "--expect-all", "--progress", "off", "--json", json.toString());

            assertEquals(1, exit, err.toString());
            assertTrue(out.toString().contains("ROUTING WRONG"), out.toString());
            final JsonNode verify = new ObjectMapper().readTree(json.toFile()).get("verify");
            assertEquals(1, verify.get("splitShards").asLong());
            assertEquals(12, verify.get("identified").asLong());
            assertEquals(7, verify.get("splitExamples").get(0).get("shard").asInt());
            assertEquals(3, verify.get("splitExamples").get(0).get("pids").size());
        }
    }
}
