package dev.mpserver.loadgen;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.SummaryTable;
import dev.mpserver.loadgen.report.StopReason;
import dev.mpserver.loadgen.testserver.Misbehaviour;
import dev.mpserver.loadgen.testserver.Misbehaviour.Kind;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.protocol.wire.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Whatever the server does wrong is counted by kind and phase; loadgen never crashes. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BadRepliesTest
{
    /** One shard per behaviour; connection n of range:1-16 uses shard n + 1. */
    private static final Map<Integer, Misbehaviour> BY_SHARD = Map.ofEntries(
        entry(1, Misbehaviour.of(Kind.GARBAGE, 0)),
        entry(2, Misbehaviour.of(Kind.CLOSE, 0)),
        entry(3, Misbehaviour.error(1, 0)),
        entry(4, Misbehaviour.error(2, 0)),
        entry(5, Misbehaviour.error(3, 0)),
        entry(6, Misbehaviour.error(4, 0)),
        entry(7, Misbehaviour.error(5, 0)),
        entry(8, Misbehaviour.of(Kind.RESET, 0)),
        entry(9, Misbehaviour.of(Kind.SILENT, 0)),
        entry(10, Misbehaviour.of(Kind.GARBAGE, 2)),
        entry(11, Misbehaviour.error(4, 2)),
        entry(12, Misbehaviour.of(Kind.RESET, 2)),
        entry(13, Misbehaviour.error(99, 0)),
        entry(14, Misbehaviour.of(Kind.PARTIAL_THEN_CLOSE, 2)),
        entry(15, Misbehaviour.of(Kind.UNSOLICITED_IDENTIFY, 0)),
        entry(16, Misbehaviour.NONE),
        entry(17, Misbehaviour.of(Kind.BROADCASTS, 1)),
        entry(18, Misbehaviour.of(Kind.ENDLESS_BROADCAST, 1)));

    @Test
    void everyKindOfBadReplyIsCountedApart() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.misbehave(shard -> BY_SHARD.getOrDefault(shard, Misbehaviour.NONE));
            final Report report = new LoadGenRun(LoadConfig.builder(server.port()).conns(18).msgs(5)
                .shardIds(ShardIds.range(1, 18)).timeout(500, TimeUnit.MILLISECONDS)
                .duration(20, TimeUnit.SECONDS).build()).call();

            assertNull(report.engineError());
            System.out.println(SummaryTable.render(report));
            assertEquals(StopReason.COMPLETED, report.stopReason());
            assertEquals(18, report.ok() + report.shed() + report.failed());

            assertEquals(2, report.ok(), "shards 16 and 17");
            assertEquals(ProtocolTestServer.BROADCAST_BODY_LENGTHS.length, report.broadcastsReceived(),
                "shard 17's broadcasts, the one longer than a connection's buffer and the largest too");

            assertEquals(2, report.failures(Phase.ROUTE, FailureKind.GARBAGE), "shards 1 and 15");
            assertEquals(1, report.failures(Phase.ROUTE, FailureKind.CLOSED), "shard 2");
            assertEquals(1, report.failures(Phase.ROUTE, FailureKind.RESET), "shard 8");
            assertEquals(1, report.failures(Phase.ROUTE, FailureKind.TIMEOUT), "shard 9");
            assertEquals(2, report.failures(Phase.MESSAGE, FailureKind.GARBAGE), "shard 10, and 18's broadcast without end");
            assertEquals(1, report.failures(Phase.MESSAGE, FailureKind.RESET), "shard 12");
            assertEquals(1, report.failures(Phase.MESSAGE, FailureKind.CLOSED), "shard 14");
            assertEquals(9, report.failed());
            assertEquals(4, report.failures(FailureKind.GARBAGE));

            assertEquals(7, report.shed(), "shed is not failure");
            assertEquals(6, report.shed(Phase.ROUTE));
            assertEquals(1, report.shed(Phase.MESSAGE));
            assertEquals(1, report.errorReplies(ErrorCode.BAD_FRAME));
            assertEquals(1, report.errorReplies(ErrorCode.SERVER_FULL));
            assertEquals(1, report.errorReplies(ErrorCode.SHARD_BUSY));
            assertEquals(2, report.errorReplies(ErrorCode.IDLE_TIMEOUT), "shards 6 and 11");
            assertEquals(1, report.errorReplies(ErrorCode.SHUTTING_DOWN));
            assertEquals(1, report.errorReplies(99));
            assertEquals(1, report.unknownErrorReplies());
        }
    }

    @Test
    void refusedConnectionsAreConnectPhaseFailures() throws Exception
    {
        final int port;
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = probe.getLocalPort();
        }
        final Report report = new LoadGenRun(LoadConfig.builder(port).conns(5).msgs(1)
            .timeout(2, TimeUnit.SECONDS).build()).call();

        assertEquals(5, report.failures(Phase.CONNECT, FailureKind.REFUSED));
        assertEquals(0, report.connected());
        assertEquals(StopReason.COMPLETED, report.stopReason());
    }
}
