package dev.mpserver.loadgen.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Test;

/**
 * What a new user meets: default options, two workers, and bursts far above one worker's old
 * fixed cap of 1 000 clients. Nobody may be refused or lost, burst after burst on one server
 * (the first burst alone once passed while the later ones lost half their clients).
 */
class OverloadOnDefaultsTest
{
    private static final int BURST = 5_000;
    private static final int MESSAGES = 10;

    @Test
    void threeBurstsOfFiveThousandAndAnOpenLoopOfTenThousandPerSecondLoseNobody() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            for (int burst = 1; burst <= 3; burst++)
            {
                final Report report = new LoadGenRun(LoadConfig.builder(server.port())
                    .conns(BURST).msgs(MESSAGES).shardIds(ShardIds.random()).seed(burst)
                    .duration(90, TimeUnit.SECONDS).build()).call();
                assertEveryClientServed(report, BURST, "burst " + burst);
            }
            final int conns = 20_000;
            final Report open = new LoadGenRun(LoadConfig.builder(server.port())
                .conns(conns).concurrency(12_000).msgs(MESSAGES).shardIds(ShardIds.random()).seed(7)
                .arrivals(ArrivalSchedule.constantRate(10_000)).duration(120, TimeUnit.SECONDS).build()).call();
            assertEveryClientServed(open, conns, "open loop 10 000 conns/s for 2 s");
        }
    }

    private static void assertEveryClientServed(final Report report, final int conns, final String run)
    {
        assertEquals(0, report.failed(), run + ": failed " + failures(report));
        assertEquals(0, report.shed(), run + ": refused with 'E'");
        assertEquals(conns, report.ok(), run + ": ok");
        assertEquals((long)conns * MESSAGES, report.replies(), run + ": replies");
    }

    /** Which phase and kind each failure was, to tell the server's doing from the client's. */
    private static String failures(final Report report)
    {
        final StringBuilder text = new StringBuilder();
        for (final Phase phase : Phase.values())
        {
            for (final FailureKind kind : FailureKind.values())
            {
                if (report.failures(phase, kind) > 0)
                {
                    text.append(' ').append(phase).append('/').append(kind).append('=').append(report.failures(phase, kind));
                }
            }
        }
        return text.toString();
    }
}
