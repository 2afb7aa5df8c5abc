package dev.mpserver.loadgen;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.SummaryTable;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that stops answering for a second must show a second in the open-loop latency, measured
 * from the intended send times, even though loadgen (pipeline 1) sent almost nothing during the stall.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CoordinatedOmissionTest
{
    private static final long STALL_MILLIS = 1_000;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void openLoopLatencyFromIntendedTimeShowsAServerStall() throws Exception
    {
        final int conns = 4;
        final int msgs = 200;
        final double msgRate = 100;
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            // Stall about half a second in: 4 connections × 100 msg/s = 400 msg/s.
            server.stallOnce(200, STALL_MILLIS);
            final Report report = new LoadGenRun(LoadConfig.builder(server.port()).seed(1)
                .conns(conns).msgs(msgs).msgRate(msgRate).pipeline(1)
                .timeout(5, TimeUnit.SECONDS).duration(20, TimeUnit.SECONDS).build()).call();
            server.awaitIdle(5_000);
            System.out.println(SummaryTable.render(report));

            assertEquals(conns, report.ok());
            assertEquals(server.replies.get(), report.replies());
            final LatencySummary intended = report.latency(Latency.MESSAGE_FROM_INTENDED);
            final LatencySummary actual = report.latency(Latency.MESSAGE);
            assertEquals(conns * (msgs - 1), intended.count());

            // The message the server sat on waited the whole stall.
            assertTrue(intended.maxNanos() >= SECOND, "max from intended " + intended.maxNanos());
            // About half of all messages were due during the stall, their waits spread over 0..1 s:
            // p99 from intended is near the full second (about 0.98 s).
            assertTrue(intended.p99Nanos() >= 0.9 * SECOND, "p99 from intended " + intended.p99Nanos());
            assertTrue(intended.p90Nanos() >= 0.5 * SECOND, "p90 from intended " + intended.p90Nanos());
            // Measured from the actual send (what a closed-loop tool reports), the stall all but vanishes:
            // only the one message per connection that was in flight saw it.
            assertTrue(actual.p90Nanos() < 0.25 * SECOND, "p90 from actual " + actual.p90Nanos());
        }
    }
}
