package dev.mpserver.loadgen.rtmp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the client records of a finished run into the per-stream breakdown and the routing table.
 * Runs once, after every engine thread has been joined.
 */
final class RtmpAnalysis
{
    private RtmpAnalysis()
    {
    }

    /**
     * Add to each player that ended ok the frames its publisher sent after the player's highest one:
     * publishers stop --drain before the end, so a frame still missing then never arrived.
     *
     * @return frames added.
     */
    static long addTailLoss(final RtmpConfig config, final ClientRecords publishers, final ClientRecords players)
    {
        long added = 0;
        for (int p = 0; p < players.size(); p++)
        {
            final int stream = config.streamOfPlayer(p);
            if (players.outcome[p] == ClientRecords.OK && players.firstKeySeq[p] != ClientRecords.NONE
                && publishers.highestSeq[stream] > players.highestSeq[p])
            {
                final int tail = publishers.highestSeq[stream] - players.highestSeq[p];
                players.lost[p] += tail;
                added += tail;
            }
        }
        return added;
    }

    static List<StreamResult> streams(final RtmpConfig config, final ClientRecords publishers, final ClientRecords players)
    {
        final List<StreamResult> results = new ArrayList<>(config.streams());
        for (int s = 0; s < config.streams(); s++)
        {
            final List<Integer> nothing = new ArrayList<>();
            final List<Integer> lossy = new ArrayList<>();
            final List<Integer> other = new ArrayList<>();
            final List<Integer> failed = new ArrayList<>();
            int playing = 0;
            int served = 0;
            long lost = 0;
            final int publisherPid = publishers.workerPid[s];
            for (int p = s; p < players.size(); p += config.streams())
            {
                if (players.phase[p] >= RtmpPhase.FIRST_FRAME.ordinal())
                {
                    playing++;
                }
                if (players.firstKeySeq[p] != ClientRecords.NONE)
                {
                    served++;
                }
                else if (players.localPort[p] != 0 && players.videoFrames[p] == 0)
                {
                    nothing.add(p);
                }
                if (players.lost[p] > 0)
                {
                    lossy.add(p);
                    lost += players.lost[p];
                }
                if (publisherPid != 0 && players.workerPid[p] != 0 && players.workerPid[p] != publisherPid)
                {
                    other.add(p);
                }
                if (players.outcome[p] == ClientRecords.FAILED)
                {
                    failed.add(p);
                }
            }
            results.add(new StreamResult(s, config.streamName(s), config.vhostName(s),
                publishers.phase[s] == RtmpPhase.STREAMING.ordinal(), publisherPid, publishers.videoFrames[s],
                config.playersPerStream(), playing, served, lost, nothing, lossy, other, failed));
        }
        return results;
    }

    static List<WorkerRoute> workers(final RtmpConfig config, final ClientRecords publishers, final ClientRecords players)
    {
        // pid -> {publishers, players, served}, and the streams seen on it.
        final Map<Integer, int[]> counts = new TreeMap<>();
        final Map<Integer, java.util.BitSet> streams = new TreeMap<>();
        for (int s = 0; s < publishers.size(); s++)
        {
            if (publishers.phase[s] == RtmpPhase.STREAMING.ordinal())
            {
                counts.computeIfAbsent(publishers.workerPid[s], k -> new int[3])[0]++;
                streams.computeIfAbsent(publishers.workerPid[s], k -> new java.util.BitSet()).set(s);
            }
        }
        for (int p = 0; p < players.size(); p++)
        {
            if (players.phase[p] >= RtmpPhase.FIRST_FRAME.ordinal())
            {
                final int[] c = counts.computeIfAbsent(players.workerPid[p], k -> new int[3]);
                c[1]++;
                if (players.firstKeySeq[p] != ClientRecords.NONE)
                {
                    c[2]++;
                }
                streams.computeIfAbsent(players.workerPid[p], k -> new java.util.BitSet()).set(config.streamOfPlayer(p));
            }
        }
        final List<WorkerRoute> routes = new ArrayList<>();
        for (final Map.Entry<Integer, int[]> e : counts.entrySet())
        {
            final int[] c = e.getValue();
            routes.add(new WorkerRoute(e.getKey(), c[0], c[1], streams.get(e.getKey()).cardinality(), c[2]));
        }
        return routes;
    }
}
