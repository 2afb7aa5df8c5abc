package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.StopReason;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Every figure of a finished RTMP run: totals, latencies, the per-second timeline, the per-stream
 * breakdown (which players got nothing, which lost frames, which were served by another worker than
 * their publisher's), the routing table by worker pid, and the per-client records.
 */
public final class RtmpReport
{
    public static final int EXIT_OK = 0;
    /** --verify found a stream whose players were not all served, completely, by the publisher's worker. */
    public static final int EXIT_VERIFY_FAILED = 1;

    private final RtmpConfig config;
    private final int threads;
    private final long elapsedNanos;
    private final StopReason stopReason;
    private final String engineError;
    private final long[] totals;
    private final Map<RtmpLatency, LatencySummary> latencies;
    private final List<RtmpProgressSample> timeline;
    private final ClientRecords publishers;
    private final ClientRecords players;
    private final List<StreamResult> streams;
    private final List<WorkerRoute> workers;
    private final long tailLoss;
    private final SelfUsage self;

    RtmpReport(
        final RtmpConfig config,
        final int threads,
        final long elapsedNanos,
        final StopReason stopReason,
        final String engineError,
        final long[] totals,
        final Map<RtmpLatency, LatencySummary> latencies,
        final List<RtmpProgressSample> timeline,
        final ClientRecords publishers,
        final ClientRecords players,
        final long tailLoss,
        final SelfUsage self)
    {
        this.config = config;
        this.threads = threads;
        this.elapsedNanos = elapsedNanos;
        this.stopReason = stopReason;
        this.engineError = engineError;
        this.totals = totals.clone();
        this.latencies = new EnumMap<>(latencies);
        this.timeline = List.copyOf(timeline);
        this.publishers = publishers;
        this.players = players;
        this.tailLoss = tailLoss;
        this.self = self;
        this.streams = RtmpAnalysis.streams(config, publishers, players);
        this.workers = RtmpAnalysis.workers(config, publishers, players);
    }

    public RtmpConfig config()
    {
        return config;
    }

    public int threads()
    {
        return threads;
    }

    public long elapsedNanos()
    {
        return elapsedNanos;
    }

    public double elapsedSeconds()
    {
        return elapsedNanos / 1e9;
    }

    public StopReason stopReason()
    {
        return stopReason;
    }

    public String engineError()
    {
        return engineError;
    }

    /** A counter summed over threads ({@link RtmpCounters}). */
    public long total(final int counter)
    {
        return totals[counter];
    }

    public long failures(final int role, final RtmpPhase phase, final RtmpFailure kind)
    {
        return totals[RtmpCounters.failure(role, phase, kind)];
    }

    public long failures(final int role, final RtmpFailure kind)
    {
        long sum = 0;
        for (final RtmpPhase phase : RtmpPhase.values())
        {
            sum += failures(role, phase, kind);
        }
        return sum;
    }

    public long failures(final int role, final RtmpPhase phase)
    {
        long sum = 0;
        for (final RtmpFailure kind : RtmpFailure.values())
        {
            sum += failures(role, phase, kind);
        }
        return sum;
    }

    public long cutOff(final int role, final RtmpPhase phase)
    {
        return totals[RtmpCounters.cutOff(role, phase)];
    }

    public LatencySummary latency(final RtmpLatency latency)
    {
        return latencies.get(latency);
    }

    public List<RtmpProgressSample> timeline()
    {
        return timeline;
    }

    public ClientRecords publisherRecords()
    {
        return publishers;
    }

    public ClientRecords playerRecords()
    {
        return players;
    }

    public List<StreamResult> streams()
    {
        return streams;
    }

    public List<WorkerRoute> workers()
    {
        return workers;
    }

    public SelfUsage self()
    {
        return self;
    }

    public long publishersLive()
    {
        return totals[RtmpCounters.PUBLISHERS_LIVE];
    }

    public long playersStarted()
    {
        return totals[RtmpCounters.PLAYERS_STARTED];
    }

    public long playersPlaying()
    {
        return totals[RtmpCounters.PLAYERS_PLAYING];
    }

    /** Players that received a keyframe of their stream. */
    public long playersServed()
    {
        return totals[RtmpCounters.PLAYERS_SERVED];
    }

    public long playersGotNothing()
    {
        long sum = 0;
        for (final StreamResult s : streams)
        {
            sum += s.gotNothing().size();
        }
        return sum;
    }

    /** Video frames missing after players' first keyframes: gaps plus frames never received by the end. */
    public long framesLost()
    {
        return totals[RtmpCounters.FRAMES_LOST] + tailLoss;
    }

    /** Of {@link #framesLost()}: frames sent before the drain that never reached a player that stayed to the end. */
    public long tailLoss()
    {
        return tailLoss;
    }

    public long outcome(final ClientRecords records, final byte outcome)
    {
        long n = 0;
        for (int i = 0; i < records.size(); i++)
        {
            if (records.outcome[i] == outcome)
            {
                n++;
            }
        }
        return n;
    }

    /** @return true when the server named worker pids (mpserver); false for nginx-rtmp, SRS. */
    public boolean serverNamesWorkers()
    {
        for (final WorkerRoute w : workers)
        {
            if (w.pid() != 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true when every publisher went live and every player of every stream got every frame
     * from its first keyframe on, from its publisher's worker (when the server names workers).
     */
    public boolean verified()
    {
        if (engineError != null)
        {
            return false;
        }
        for (final StreamResult s : streams)
        {
            if (!s.verified())
            {
                return false;
            }
        }
        return true;
    }

    public int exitCode()
    {
        return config.verify() && !verified() ? EXIT_VERIFY_FAILED : EXIT_OK;
    }
}
