package dev.mpserver.loadgen;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.ProgressSample;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.StopReason;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LoadGenRunTest
{
    private ProtocolTestServer server;

    @BeforeEach
    void startServer() throws Exception
    {
        server = new ProtocolTestServer();
    }

    @AfterEach
    void stopServer() throws Exception
    {
        server.close();
    }

    private LoadConfig.Builder config()
    {
        return LoadConfig.builder(server.port()).seed(1).timeout(5, TimeUnit.SECONDS).duration(20, TimeUnit.SECONDS);
    }

    /** Loadgen's counts must be exactly what the server saw. */
    private void assertAgreesWithServer(final Report report, final long conns, final int msgs) throws Exception
    {
        server.awaitIdle(5_000);
        assertNull(report.engineError());
        assertEquals(StopReason.COMPLETED, report.stopReason());
        assertEquals(conns, report.ok(), "connections ok");
        assertEquals(0, report.failed() + report.shed() + report.cutOff() + report.notStarted());
        assertEquals(server.accepted.get(), report.connected(), "connections the server accepted");
        assertEquals(server.controls.get(), report.routed(), "'C' frames");
        assertEquals(server.cleanCloses.get(), report.ok(), "clean closes seen by the server");
        assertEquals(server.messages.get(), report.messagesSent(), "messages");
        assertEquals(server.replies.get(), report.replies(), "replies");
        assertEquals(conns * msgs, report.replies());
        assertEquals(conns, report.latency(Latency.CONNECT).count());
        assertEquals(conns, report.latency(Latency.ROUTE).count());
        assertEquals(conns * (msgs - 1), report.latency(Latency.MESSAGE).count());
        assertEquals(conns * (msgs - 1), report.latency(Latency.MESSAGE_FROM_INTENDED).count());
        assertTrue(report.allSucceeded());
    }

    @Test
    void closedLoopCountsEqualServerCounts() throws Exception
    {
        final Report report = new LoadGenRun(config().conns(60).msgs(20).concurrency(16)
            .shardIds(ShardIds.range(0, 9)).build()).call();

        assertAgreesWithServer(report, 60, 20);
        assertFalse(report.config().isOpenLoop());
        assertTrue(report.latency(Latency.ROUTE).p50Nanos() > 0);
    }

    @Test
    void closedLoopWithPipelineKeepsSeveralMessagesInFlight() throws Exception
    {
        final Report report = new LoadGenRun(config().conns(10).msgs(50).pipeline(8).threads(1).build()).call();

        assertAgreesWithServer(report, 10, 50);
    }

    @Test
    void openLoopCountsEqualServerCountsAndFollowTheTargetRates() throws Exception
    {
        final List<ProgressSample> samples = new ArrayList<>();
        final Report report = new LoadGenRun(config().conns(40).msgs(10)
            .arrivals(ArrivalSchedule.constantRate(100)).msgRate(50).build())
            .onProgress(samples::add)
            .call();

        assertAgreesWithServer(report, 40, 10);
        assertTrue(report.config().isOpenLoop());
        // 40 connections at 100/s: the last is due at 0.39 s; its 10 messages at 50/s take 0.18 s more.
        assertTrue(report.elapsedSeconds() >= 0.55, "elapsed " + report.elapsedSeconds());
        assertTrue(report.elapsedSeconds() < 5, "elapsed " + report.elapsedSeconds());
        assertEquals(40, report.latency(Latency.CONNECT_FROM_INTENDED).count());
        assertEquals(50, report.achievedMsgRatePerConn(), 10, "per-connection message rate");
        assertEquals(100, report.targetConnRate());
        assertEquals(100, report.achievedConnRate(), 15, "achieved connect rate");
        assertFalse(samples.isEmpty());
        assertEquals(report.ok(), samples.get(samples.size() - 1).ok());
    }

    @Test
    void durationCutsOffOpenConnectionsAndStops() throws Exception
    {
        final long startedAt = System.nanoTime();
        final Report report = new LoadGenRun(config().conns(1000).msgs(1000).msgRate(10).concurrency(20)
            .duration(600, TimeUnit.MILLISECONDS).build()).call();

        final double seconds = (System.nanoTime() - startedAt) / 1e9;
        assertTrue(seconds < 3, "took " + seconds + " s");
        assertEquals(StopReason.DURATION, report.stopReason());
        assertEquals(20, report.cutOff());
        assertEquals(980, report.notStarted());
        assertFalse(report.allSucceeded());
    }

    @Test
    void requestStopEndsARunEarly() throws Exception
    {
        final LoadGenRun run = new LoadGenRun(config().conns(10).msgs(1000).msgRate(5).build());
        final Thread stopper = new Thread(() ->
        {
            try
            {
                Eventually.eventually(10_000, () -> server.open.get() == 10); // every connection under way
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
            run.requestStop();
        });
        stopper.start();
        final Report report = run.call();
        stopper.join();

        assertEquals(StopReason.STOPPED, report.stopReason());
        assertEquals(10, report.cutOff());
        assertTrue(report.elapsedSeconds() < 3);
    }
}
