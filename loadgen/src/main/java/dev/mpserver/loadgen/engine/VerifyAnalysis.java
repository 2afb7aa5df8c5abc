package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.VerifyResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the 'I' replies of a run into {@link VerifyResult}: a shard is split when its clients report
 * more than one worker pid. Works on sorted primitive keys, so a run of millions of clients costs two
 * sorts and no boxing.
 */
final class VerifyAnalysis
{
    private static final long LOW_32 = 0xFFFF_FFFFL;

    private VerifyAnalysis()
    {
    }

    static VerifyResult analyse(final VerifyLog log)
    {
        int identified = 0;
        long mismatched = 0;
        for (int i = 0; i < log.size(); i++)
        {
            if (log.identified(i))
            {
                identified++;
                if (log.reportedShard(i) != log.sentShard(i))
                {
                    mismatched++;
                }
            }
        }

        // shard (high 32) | pid (low 32), both as sent/reported: sorted, equal shards are adjacent.
        final long[] shardPid = new long[identified];
        // pid (high 32) | shard (low 32): for the per-worker view.
        final long[] pidShard = new long[identified];
        int k = 0;
        for (int i = 0; i < log.size(); i++)
        {
            if (log.identified(i))
            {
                shardPid[k] = pack(log.sentShard(i), log.pid(i));
                pidShard[k] = pack(log.pid(i), log.sentShard(i));
                k++;
            }
        }
        Arrays.sort(shardPid);
        Arrays.sort(pidShard);

        long shards = 0;
        long split = 0;
        final List<VerifyResult.SplitShard> examples = new ArrayList<>();
        int i = 0;
        while (i < identified)
        {
            final int shard = high(shardPid[i]);
            final List<Integer> pids = new ArrayList<>();
            int j = i;
            while (j < identified && high(shardPid[j]) == shard)
            {
                if (j == i || low(shardPid[j]) != low(shardPid[j - 1]))
                {
                    pids.add(low(shardPid[j]));
                }
                j++;
            }
            shards++;
            if (pids.size() > 1)
            {
                split++;
                if (examples.size() < VerifyResult.MAX_EXAMPLES)
                {
                    examples.add(new VerifyResult.SplitShard(shard, pids));
                }
            }
            i = j;
        }

        final List<VerifyResult.Worker> workers = new ArrayList<>();
        i = 0;
        while (i < identified)
        {
            final int pid = high(pidShard[i]);
            long clients = 0;
            long workerShards = 0;
            int j = i;
            while (j < identified && high(pidShard[j]) == pid)
            {
                if (j == i || low(pidShard[j]) != low(pidShard[j - 1]))
                {
                    workerShards++;
                }
                clients++;
                j++;
            }
            workers.add(new VerifyResult.Worker(pid, clients, workerShards));
            i = j;
        }
        return new VerifyResult(identified, shards, split, mismatched, workers, examples);
    }

    private static long pack(final int high, final int low)
    {
        return ((long)high << Integer.SIZE) | (low & LOW_32);
    }

    private static int high(final long packed)
    {
        return (int)(packed >>> Integer.SIZE);
    }

    private static int low(final long packed)
    {
        return (int)packed;
    }
}
