package dev.mpserver.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.testserver.Misbehaviour;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** "Conns done per second until 90 % done": when each ok connection ended, and the rate up to a share of them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnsPerSecondUntilTest
{
    @Test
    void aBurstIsDoneAtTheRateOfItsFirstNinetyPercent() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Report report = new LoadGenRun(LoadConfig.builder(server.port()).conns(300).msgs(3)
                .shardIds(ShardIds.random()).duration(20, TimeUnit.SECONDS).build()).call();

            assertEquals(300, report.ok());
            assertEquals(300, report.latency(Latency.DONE).count(), "one 'done' time per ok connection");
            assertTrue(report.latency(Latency.DONE).maxNanos() <= report.elapsedNanos(), "done within the run");
            final double until90 = report.connsPerSecondUntil(0.9);
            final double overall = report.ok() / report.elapsedSeconds();
            // 270 connections by t90 <= the end: never below 90 % of the whole run's rate.
            assertTrue(until90 >= 0.9 * overall * 0.99, until90 + " vs " + overall);
            assertEquals(300 / (report.latency(Latency.DONE).maxNanos() / 1e9), report.connsPerSecondUntil(1.0), 300 * 0.01,
                "all of them: the time of the last one");
        }
    }

    @Test
    void notReachedWhenFewerEndedOk() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            server.misbehave(shard -> shard % 2 == 0 ? Misbehaviour.error(2, 0) : Misbehaviour.NONE);
            final Report report = new LoadGenRun(LoadConfig.builder(server.port()).conns(100).msgs(2)
                .shardIds(ShardIds.range(0, 99)).duration(20, TimeUnit.SECONDS).build()).call();

            assertEquals(50, report.ok());
            assertEquals(-1, report.connsPerSecondUntil(0.9));
            assertTrue(report.connsPerSecondUntil(0.5) > 0, "half of them did end ok");
        }
    }
}
