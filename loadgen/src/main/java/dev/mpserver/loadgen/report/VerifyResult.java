package dev.mpserver.loadgen.report;

import java.util.List;

/**
 * What the 'I' replies of a --verify run say about routing.
 *
 * @param identified        connections that got an 'I' reply.
 * @param shards            distinct shard ids among them (as sent).
 * @param splitShards       shards whose clients were in two workers at the same time: must be 0.
 * @param movedShards       shards whose clients reported more than one worker pid over the run: a
 *                          shard may move once its clients have gone (and under --placement local,
 *                          the worker its next client lands on takes it).
 * @param mismatchedClients clients whose reply names a different shard than the one they sent: must be 0.
 * @param workers           per worker pid: clients and distinct shards it served, by pid.
 * @param splitExamples     up to {@link #MAX_EXAMPLES} split shards with the pids of the clients that overlapped.
 */
public record VerifyResult(
    long identified,
    long shards,
    long splitShards,
    long movedShards,
    long mismatchedClients,
    List<Worker> workers,
    List<SplitShard> splitExamples)
{
    public static final int MAX_EXAMPLES = 10;

    public VerifyResult
    {
        workers = List.copyOf(workers);
        splitExamples = List.copyOf(splitExamples);
    }

    /** @return true when no shard was split and every client was on the shard it asked for. */
    public boolean routingCorrect()
    {
        return splitShards == 0 && mismatchedClients == 0;
    }

    public record Worker(int pid, long clients, long shards)
    {
    }

    public record SplitShard(int shard, List<Integer> pids)
    {
        public SplitShard
        {
            pids = List.copyOf(pids);
        }
    }
}
