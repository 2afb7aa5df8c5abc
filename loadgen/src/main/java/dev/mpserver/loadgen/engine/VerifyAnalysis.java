package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.VerifyResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns the 'I' replies of a run into {@link VerifyResult}. A shard whose clients report more than
 * one worker pid over the run has moved (a shard may, once its clients have gone); it is split only
 * if two of its clients were in different workers at the same time (each client is in the worker it
 * names from its first reply to its 'I' reply), as the C client counts it. Everything works on
 * sorted primitive keys, so a run of millions of clients costs a few sorts and no boxing.
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
        long moved = 0;
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
                moved++;
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
        final long split = countSplit(log, identified, examples);
        return new VerifyResult(identified, shards, split, moved, mismatched, workers, examples);
    }

    /**
     * Shards whose clients were in two workers at once. Per shard, in order of first reply, keep
     * the latest end of any client and the latest end among clients of another worker than that
     * one: a client overlaps a client of another worker iff one of them ends after it started.
     */
    private static long countSplit(final VerifyLog log, final int identified, final List<VerifyResult.SplitShard> examples)
    {
        final int[] order = byShardThenServed(log, identified);
        long split = 0;
        int i = 0;
        while (i < identified)
        {
            final int shard = log.sentShard(order[i]);
            int topPid = 0;
            long topEnd = Long.MIN_VALUE;
            long otherEnd = Long.MIN_VALUE;
            List<Integer> overlapping = null;
            for (; i < identified && log.sentShard(order[i]) == shard; i++)
            {
                final int c = order[i];
                final int pid = log.pid(c);
                final long start = log.servedAt(c);
                final long end = log.identifiedAt(c);
                if ((pid != topPid && topEnd > start) || (pid == topPid && otherEnd > start))
                {
                    if (null == overlapping)
                    {
                        overlapping = new ArrayList<>(2);
                        overlapping.add(topPid);
                    }
                    if (!overlapping.contains(pid))
                    {
                        overlapping.add(pid);
                    }
                }
                if (pid == topPid)
                {
                    topEnd = Math.max(topEnd, end);
                }
                else if (end > topEnd)
                {
                    otherEnd = topEnd;
                    topPid = pid;
                    topEnd = end;
                }
                else
                {
                    otherEnd = Math.max(otherEnd, end);
                }
            }
            if (null != overlapping)
            {
                split++;
                if (examples.size() < VerifyResult.MAX_EXAMPLES)
                {
                    examples.add(new VerifyResult.SplitShard(shard, overlapping));
                }
            }
        }
        return split;
    }

    /**
     * The identified clients' connection numbers by shard, then by first reply: two sorts of
     * primitive keys. First by first reply: its time since the earliest one, shifted right just
     * enough to leave room below for the client's position (nanoseconds while the run's span fits
     * in the bits left, coarser beyond; clients within one such step keep their log order); then by
     * shard, with that rank below it.
     */
    private static int[] byShardThenServed(final VerifyLog log, final int identified)
    {
        final int[] connections = new int[identified];
        if (0 == identified)
        {
            return connections;
        }
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        int k = 0;
        for (int i = 0; i < log.size(); i++)
        {
            if (log.identified(i))
            {
                connections[k++] = i;
                earliest = Math.min(earliest, log.servedAt(i));
                latest = Math.max(latest, log.servedAt(i));
            }
        }
        final int positionBits = Long.SIZE - Long.numberOfLeadingZeros(identified);
        final long positionMask = (1L << positionBits) - 1;
        final int shift = Math.max(0, (Long.SIZE - Long.numberOfLeadingZeros(latest - earliest)) - (Long.SIZE - 1 - positionBits));
        final long[] keys = new long[identified];
        for (k = 0; k < identified; k++)
        {
            keys[k] = ((log.servedAt(connections[k]) - earliest) >>> shift) << positionBits | k;
        }
        Arrays.sort(keys);
        final int[] byRank = new int[identified];
        for (int rank = 0; rank < identified; rank++)
        {
            byRank[rank] = connections[(int)(keys[rank] & positionMask)];
            keys[rank] = pack(log.sentShard(byRank[rank]), rank);
        }
        Arrays.sort(keys);
        for (k = 0; k < identified; k++)
        {
            connections[k] = byRank[low(keys[k])];
        }
        return connections;
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
