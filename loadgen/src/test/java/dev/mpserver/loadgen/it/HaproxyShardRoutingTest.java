package dev.mpserver.loadgen.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.multihost.HaproxyProcess;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.VerifyResult;
import dev.mpserver.master.cli.MpServer;
import dev.mpserver.master.haproxy.ShardRing;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import dev.mpserver.protocol.launch.Executables;
import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The configuration of {@code mpserver haproxy-config} in the real HAProxy, in front of three
 * single-process mpservers on 127.0.0.1 standing in for hosts (no namespaces, so no root needed): which
 * host each shard reaches, and what happens to clients that send no 'C' or too little of one.
 * Failover between real (namespaced) hosts is {@link MultiHostTest}'s.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HaproxyShardRoutingTest
{
    private static final int HOSTS = 3;
    private static final long INSPECT_DELAY_MS = 1000;

    private final List<ServerProcess> hosts = new ArrayList<>();
    private final ShardRing ring = new ShardRing(HOSTS);
    private HaproxyProcess haproxy;
    private int port;

    @BeforeAll
    void startHostsAndHaproxy() throws Exception
    {
        Assumptions.assumeTrue(Executables.isInstalled("haproxy"), "haproxy is not installed (.ci/run installs it: apt-get install -y haproxy)");
        final List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++)
        {
            starting.add(CompletableFuture.supplyAsync(() -> start("--workers", "0")));
        }
        final List<String> addresses = new ArrayList<>();
        for (final CompletableFuture<ServerProcess> host : starting)
        {
            hosts.add(host.join());
            addresses.add("127.0.0.1:" + hosts.get(hosts.size() - 1).port());
        }
        port = HaproxyProcess.freeLoopbackPort();
        final Path dir = Files.createTempDirectory(Path.of("target"), "haproxy-routing-").toAbsolutePath();
        final String config = mpserver("haproxy-config", "--hosts", String.join(",", addresses), "--bind", "127.0.0.1:" + port,
            "--max-workers", "1", "--inspect-delay", INSPECT_DELAY_MS + "ms", "--stats-socket", dir.resolve("haproxy.sock").toString());
        haproxy = HaproxyProcess.start(List.of(), dir, "haproxy", config, "127.0.0.1", port, dir.resolve("haproxy.sock"));
    }

    @AfterAll
    void stop()
    {
        if (null != haproxy)
        {
            haproxy.close();
        }
        final List<CompletableFuture<Void>> stopping = new ArrayList<>();
        for (final ServerProcess host : hosts)
        {
            stopping.add(CompletableFuture.runAsync(host::close));
        }
        stopping.forEach(CompletableFuture::join);
    }

    private static ServerProcess start(final String... args)
    {
        try
        {
            return ServerProcess.start(args);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void everyShardReachesTheHostItsIdHashesTo() throws Exception
    {
        final int[] ids = {0, 1, 2, 3, 7, 42, 255, 256, 65_536, 1 << 24, 123_456_789, Integer.MAX_VALUE, -2, Integer.MIN_VALUE};
        final int[] perHost = new int[HOSTS];
        for (int i = 0; i < ids.length + 40; i++)
        {
            final int id = i < ids.length ? ids[i] : 1000 + i;
            try (TestClient client = new TestClient(port))
            {
                client.join(id);
                final int[] identity = client.identify();
                assertEquals(id, identity[2], "the host serves the shard the client named");
                final int host = hostOf(identity[0]);
                assertEquals(ring.hostOf(id), host, "shard " + id + ": crc32 of its 4 little-endian bytes mod " + HOSTS);
                perHost[host]++;
            }
        }
        for (int host = 0; host < HOSTS; host++)
        {
            assertTrue(perHost[host] > 0, "every host got shards: " + java.util.Arrays.toString(perHost));
        }
    }

    @Test
    void loadgenThroughHaproxyFindsNoShardSplitAcrossHosts() throws Exception
    {
        final int shards = 200;
        final Report report = new LoadGenRun(LoadConfig.builder(port).conns(3 * shards).msgs(3)
            .shardIds(ShardIds.range(0, shards - 1)).verify(true).duration(60, TimeUnit.SECONDS).build()).call();
        assertEquals(3 * shards, report.ok(), "every client served");
        final VerifyResult verify = report.verify();
        assertEquals(0, verify.splitShards(), "no shard on two workers, so none on two hosts: " + verify.splitExamples());
        assertEquals(0, verify.mismatchedClients());
        final long[] shardsPerHost = new long[HOSTS];
        for (final VerifyResult.Worker worker : verify.workers())
        {
            shardsPerHost[hostOf(worker.pid())] += worker.shards();
        }
        for (int host = 0; host < HOSTS; host++)
        {
            int expected = 0;
            for (int id = 0; id < shards; id++)
            {
                expected += ring.hostOf(id) == host ? 1 : 0;
            }
            assertEquals(expected, shardsPerHost[host], "host " + host + " has exactly the shards that hash to it");
        }
    }

    @Test
    void aClientWithoutCIsServedAtOnceAndOneWithPartOfACIsClosedAfterTheInspectDelay() throws Exception
    {
        try (TestClient noShard = new TestClient(port, 5000))
        {
            final long start = System.nanoTime();
            final int[] identity = noShard.identify();
            assertEquals(WireProtocol.NO_SHARD, identity[2], "no 'C': served where accepted, on no shard");
            assertTrue(hostOf(identity[0]) >= 0, "by one of the hosts");
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(INSPECT_DELAY_MS / 2),
                "without waiting for the inspect delay");
        }
        try (TestClient split = new TestClient(port, 5000))
        {
            final byte[] control = TestClient.control(42);
            split.send(new byte[] {control[0], control[1]});
            Thread.sleep(INSPECT_DELAY_MS / 3); // the scenario: the rest of the 'C' a while later, within the inspect delay
            split.send(new byte[] {control[2], control[3], control[4]}, TestClient.PING);
            split.expectPing();
            assertEquals(ring.hostOf(42), hostOf(split.identify()[0]), "a 'C' in two pieces is routed like a whole one");
        }
        try (TestClient shortC = new TestClient(port, 5000))
        {
            final long start = System.nanoTime();
            shortC.send(new byte[] {WireProtocol.CONTROL, 1, 0});
            assertTrue(shortC.isClosedByServer(), "3 bytes of a 'C' and silence: closed");
            final long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= INSPECT_DELAY_MS - 50 && waited < 4 * INSPECT_DELAY_MS, "after the inspect delay: " + waited + " ms");
        }
    }

    private int hostOf(final long pid)
    {
        for (int host = 0; host < HOSTS; host++)
        {
            if (hosts.get(host).pid() == pid) // single-process hosts: the 'I' reply names the server itself
            {
                return host;
            }
        }
        return -1;
    }

    private static String mpserver(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final picocli.CommandLine cli = new picocli.CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(args), err.toString());
        return out.toString();
    }

}
