package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.VerifyResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VerifyAnalysisTest
{
    @Test
    void countsSplitAndMovedShardsMismatchesAndWorkers()
    {
        final VerifyLog log = new VerifyLog(10);
        log.record(0, 1, 100, 1, 1, 0, 10);
        log.record(1, 1, 100, 1, 2, 5, 15);
        log.record(2, 2, 100, 2, 1, 0, 10);
        log.record(3, 2, 200, 2, 1, 5, 15);    // shard 2 in 100 and 200 at once: split
        log.record(4, 3, 200, 3, 1, 0, 10);
        log.record(5, 3, 200, 4, 1, 20, 30);   // reported another shard
        log.record(6, -5, -1, -5, 1, 0, 10);   // odd values still group correctly
        log.record(8, 9, 100, 9, 1, 0, 10);
        log.record(9, 9, 200, 9, 1, 11, 20);   // shard 9 on 200 once its client on 100 had gone: moved, not split
        // connection 7 never identified

        final VerifyResult v = VerifyAnalysis.analyse(log);

        assertEquals(9, v.identified());
        assertEquals(5, v.shards());
        assertEquals(1, v.splitShards());
        assertEquals(2, v.movedShards(), "shards 2 and 9 were on two workers over the run");
        assertEquals(1, v.mismatchedClients());
        assertEquals(List.of(new VerifyResult.SplitShard(2, List.of(100, 200))), v.splitExamples());
        assertEquals(List.of(new VerifyResult.Worker(-1, 1, 1), new VerifyResult.Worker(100, 4, 3),
            new VerifyResult.Worker(200, 4, 3)), v.workers());
    }

    @Test
    void aClientOverlappingAnEarlierClientOfAnotherWorkerIsFoundBehindALaterOne()
    {
        final VerifyLog log = new VerifyLog(3);
        log.record(0, 4, 100, 4, 1, 0, 100);   // long-lived, on 100
        log.record(1, 4, 200, 4, 1, 10, 20);   // on 200 while the first is on 100
        log.record(2, 4, 200, 4, 1, 30, 40);
        assertEquals(1, VerifyAnalysis.analyse(log).splitShards());
    }

    /** First replies far apart (their order is then kept at a coarser step than a nanosecond) and in reverse log order. */
    @Test
    void clientsAreTakenInOrderOfFirstReplyWhateverTheRunsSpan()
    {
        final long far = 1L << 61;
        final VerifyLog log = new VerifyLog(4);
        log.record(0, 7, 200, 7, 1, far + 10, far + 20); // on 200 while the next is on 100
        log.record(1, 7, 100, 7, 1, far, far + 100);
        log.record(2, 8, 100, 8, 1, 50, 60);             // one after the other: moved, not split
        log.record(3, 8, 200, 8, 1, 0, 40);
        final VerifyResult v = VerifyAnalysis.analyse(log);
        assertEquals(1, v.splitShards());
        assertEquals(7, v.splitExamples().get(0).shard());
        assertEquals(2, v.movedShards());
    }
}
