package dev.mpserver.loadgen.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;
import org.junit.jupiter.api.Test;

/** loadgen against the real mpserver, single-process and routed. */
class AgainstMpServerTest
{
    /** Of the run's 10 000: its first fifth. */
    private static final long STALL_AFTER_MESSAGES = 2_000;

    @Test
    void countsMatchWhatTheSingleProcessServerCounted() throws Exception
    {
        countsMatchWhatTheServerCounted("--workers", "0");
    }

    @Test
    void countsMatchWhatTheRoutedServerCountedAndVerificationFindsNoSplitShard() throws Exception
    {
        countsMatchWhatTheServerCounted("--workers", "2");
    }

    private static void countsMatchWhatTheServerCounted(final String... serverArgs) throws Exception
    {
        try (ServerProcess server = ServerProcess.start(serverArgs))
        {
            final Report report = new LoadGenRun(LoadConfig.builder(server.port())
                .conns(1500).msgs(10).pipeline(2).shardIds(ShardIds.random()).shards(300).verify(true)
                .duration(60, TimeUnit.SECONDS).build()).call();

            assertEquals(1500, report.ok(), "every connection ok");
            assertEquals(15_000, report.replies());
            assertEquals(0, report.verify().splitShards(), "no shard split across workers");
            assertEquals(0, report.verify().mismatchedClients());
            assertTrue(Eventually.eventually(3000, () -> server.counters().total(WorkerCounter.MESSAGES) == report.messagesSent()),
                "server counted " + server.counters().total(WorkerCounter.MESSAGES) + " messages, loadgen sent " + report.messagesSent());
            assertTrue(Eventually.eventually(3000, () -> server.counters().total(WorkerCounter.CLIENTS_CLOSED) == report.connected()),
                "server closed " + server.counters().total(WorkerCounter.CLIENTS_CLOSED) + " clients, loadgen connected " + report.connected());
            assertEquals(report.identifySent(), server.counters().total(WorkerCounter.IDENTIFIES));
        }
    }

    @Test
    void openLoopLatencyShowsAWorkerStallNotHidingBehindTheClient() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "0"))
        {
            final LoadGenRun run = new LoadGenRun(LoadConfig.builder(server.port())
                .conns(50).msgs(200).msgRate(50).arrivals(ArrivalSchedule.constantRate(500))
                .shardIds(ShardIds.fixed(1)).duration(30, TimeUnit.SECONDS).build());
            final Thread stall = new Thread(() ->
            {
                try
                {
                    // Mid-run (every connection well into its 4 s of messages), a 1 s stall of the server.
                    Eventually.eventually(10_000, () -> server.counters().total(WorkerCounter.MESSAGES) >= STALL_AFTER_MESSAGES);
                    Posix.process().kill(server.pid(), Signals.SIGSTOP);
                    Thread.sleep(1000);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                finally
                {
                    Posix.process().kill(server.pid(), Signals.SIGCONT);
                }
            });
            stall.start();
            final Report report = run.call();
            stall.join();
            assertEquals(50, report.ok());
            final long p99 = report.latency(Latency.MESSAGE_FROM_INTENDED).p99Nanos();
            assertTrue(p99 >= TimeUnit.MILLISECONDS.toNanos(900),
                "a 1 s stall shows in p99 from the intended send time: " + p99 / 1e6 + " ms");
            assertTrue(report.latency(Latency.MESSAGE_FROM_INTENDED).maxNanos() >= TimeUnit.MILLISECONDS.toNanos(950));
        }
    }

}
