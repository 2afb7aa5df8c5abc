package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.VerifyResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VerifyAnalysisTest
{
    @Test
    void countsSplitShardsMismatchesAndWorkers()
    {
        final VerifyLog log = new VerifyLog(8);
        log.record(0, 1, 100, 1, 1);
        log.record(1, 1, 100, 1, 2);
        log.record(2, 2, 100, 2, 1);
        log.record(3, 2, 200, 2, 1);   // shard 2 split over 100 and 200
        log.record(4, 3, 200, 3, 1);
        log.record(5, 3, 200, 4, 1);   // reported another shard
        log.record(6, -5, -1, -5, 1);  // odd values still group correctly
        // connection 7 never identified

        final VerifyResult v = VerifyAnalysis.analyse(log);

        assertEquals(7, v.identified());
        assertEquals(4, v.shards());
        assertEquals(1, v.splitShards());
        assertEquals(1, v.mismatchedClients());
        assertEquals(List.of(new VerifyResult.SplitShard(2, List.of(100, 200))), v.splitExamples());
        assertEquals(List.of(new VerifyResult.Worker(-1, 1, 1), new VerifyResult.Worker(100, 3, 2),
            new VerifyResult.Worker(200, 3, 2)), v.workers());
    }
}
