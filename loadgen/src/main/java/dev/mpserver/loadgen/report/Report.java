package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Counters;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.server.ServerCountersSnapshot;
import dev.mpserver.protocol.wire.ErrorCode;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every figure of a finished run. Each connection ends exactly one way: ok, shed (an 'E' reply),
 * failed (by phase and kind), cut off (open at the end of --duration) or not started.
 */
public final class Report
{
    /** Exit status of a run that met --expect-all (or did not ask). */
    public static final int EXIT_OK = 0;
    /** Exit status when --expect-all was given and some connection did not succeed or routing was wrong. */
    public static final int EXIT_EXPECTATION_FAILED = 1;

    private final LoadConfig config;
    private final int threads;
    private final long elapsedNanos;
    private final StopReason stopReason;
    private final String engineError;
    private final long[] totals;
    private final Map<Latency, LatencySummary> latencies;
    private final VerifyResult verify;
    private final List<ProgressSample> timeline;
    private final ServerCountersSnapshot serverCounters;
    private WarmUpSummary warmUp;

    public Report(
        final LoadConfig config,
        final int threads,
        final long elapsedNanos,
        final StopReason stopReason,
        final String engineError,
        final long[] totals,
        final Map<Latency, LatencySummary> latencies,
        final VerifyResult verify,
        final List<ProgressSample> timeline,
        final ServerCountersSnapshot serverCounters)
    {
        this.config = config;
        this.threads = threads;
        this.elapsedNanos = elapsedNanos;
        this.stopReason = stopReason;
        this.engineError = engineError;
        this.totals = totals.clone();
        this.latencies = new EnumMap<>(latencies);
        this.verify = verify;
        this.timeline = List.copyOf(timeline);
        this.serverCounters = serverCounters;
    }

    /** Tells the report what loadgen's warm-up of its own code did before the run (--warm-up). */
    public Report warmUp(final WarmUpSummary summary)
    {
        this.warmUp = summary;
        return this;
    }

    /** loadgen's warm-up before the run, or null if there was none. */
    public WarmUpSummary warmUp()
    {
        return warmUp;
    }

    public LoadConfig config()
    {
        return config;
    }

    /** Engine threads actually used (never more than --conns or --concurrency). */
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

    /** The engine's unexpected error, or null. */
    public String engineError()
    {
        return engineError;
    }

    public long conns()
    {
        return config.conns();
    }

    public long started()
    {
        return totals[Counters.STARTED];
    }

    public long connected()
    {
        return totals[Counters.CONNECTED];
    }

    public long routed()
    {
        return totals[Counters.ROUTED];
    }

    public long ok()
    {
        return totals[Counters.OK];
    }

    public long shed()
    {
        return totals[Counters.SHED];
    }

    public long failed()
    {
        return totals[Counters.FAILED];
    }

    public long cutOff()
    {
        return totals[Counters.CUT_OFF];
    }

    public long notStarted()
    {
        return config.conns() - started();
    }

    public long messagesSent()
    {
        return totals[Counters.MESSAGES_SENT];
    }

    public long replies()
    {
        return totals[Counters.REPLIES];
    }

    public long identifySent()
    {
        return totals[Counters.IDENTIFY_SENT];
    }

    public long identifyReplies()
    {
        return totals[Counters.IDENTIFY_REPLIES];
    }

    public long broadcastsReceived()
    {
        return totals[Counters.BROADCASTS];
    }

    public long bytesWritten()
    {
        return totals[Counters.BYTES_WRITTEN];
    }

    public long bytesRead()
    {
        return totals[Counters.BYTES_READ];
    }

    public long failures(final Phase phase, final FailureKind kind)
    {
        return totals[Counters.failure(phase, kind)];
    }

    public long failures(final Phase phase)
    {
        long sum = 0;
        for (final FailureKind kind : FailureKind.values())
        {
            sum += failures(phase, kind);
        }
        return sum;
    }

    public long failures(final FailureKind kind)
    {
        long sum = 0;
        for (final Phase phase : Phase.values())
        {
            sum += failures(phase, kind);
        }
        return sum;
    }

    public long shed(final Phase phase)
    {
        return totals[Counters.shed(phase)];
    }

    /** 'E' replies received with this code byte (0..255). */
    public long errorReplies(final int code)
    {
        return totals[Counters.errorCode(code)];
    }

    public long errorReplies(final ErrorCode code)
    {
        return errorReplies(code.code());
    }

    /** 'E' replies whose code this version of the protocol does not know. */
    public long unknownErrorReplies()
    {
        long sum = 0;
        for (int code = 0; code < Counters.ERROR_CODES; code++)
        {
            if (ErrorCode.of(code) == null)
            {
                sum += errorReplies(code);
            }
        }
        return sum;
    }

    public LatencySummary latency(final Latency latency)
    {
        return latencies.get(latency);
    }

    /**
     * Connections started per second, from time zero to the last start (the tail of the run, when
     * every connection has started and the last ones finish, does not dilute it).
     */
    public double achievedConnRate()
    {
        final long span = totals[Counters.LAST_START_NANOS];
        if (started() <= 1 || span <= 0)
        {
            return 0;
        }
        return (started() - 1) / (span / 1e9);
    }

    /**
     * Connections per second until {@code share} of --conns had ended ok: that many connections over
     * the time from time zero to the moment the last of them ended (a burst's throughput without the
     * tail of its last few). -1 when fewer connections than that ended ok.
     *
     * @param share a fraction in (0, 1], e.g. 0.9
     */
    public double connsPerSecondUntil(final double share)
    {
        final long needed = (long)Math.ceil(share * config.conns());
        final LatencySummary done = latencies.get(Latency.DONE);
        if (needed < 1 || ok() < needed || null == done || done.count() < needed)
        {
            return -1;
        }
        final long nanos = done.percentileNanos(100.0 * needed / done.count());
        return nanos <= 0 ? -1 : needed / (nanos / 1e9);
    }

    /** Connections per second the schedule asked for (after any ramp); 0 in closed loop. */
    public double targetConnRate()
    {
        return config.arrivals().endRate();
    }

    /** Replies per second over the run, all connections together. */
    public double achievedMsgRate()
    {
        return elapsedNanos == 0 ? 0 : replies() / elapsedSeconds();
    }

    /**
     * Messages per second of one connection while it exchanged them: (msgs − 1) intervals over the time
     * from connect to last reply, averaged over the connections that got every reply; 0 with --msgs 1.
     */
    public double achievedMsgRatePerConn()
    {
        final long servingNanos = totals[Counters.SERVING_NANOS];
        final long conns = totals[Counters.ALL_REPLIED];
        if (servingNanos == 0 || conns == 0 || config.msgs() < 2)
        {
            return 0;
        }
        return (config.msgs() - 1) * (double)conns / (servingNanos / 1e9);
    }

    /** --msg-rate: messages per second per connection asked for; 0 when messages follow replies. */
    public double targetMsgRatePerConn()
    {
        return config.msgRate();
    }

    /** The --verify figures, or null without --verify. */
    public VerifyResult verify()
    {
        return verify;
    }

    /** One sample per second of the run (the last may be shorter). */
    public List<ProgressSample> timeline()
    {
        return timeline;
    }

    /** The server's counters at the end of the run, when --run-dir had any. */
    public Optional<ServerCountersSnapshot> serverCounters()
    {
        return Optional.ofNullable(serverCounters);
    }

    /**
     * @return true when every connection ended ok and, with --verify, every one was identified and
     * routing was correct. This is what --expect-all demands.
     */
    public boolean allSucceeded()
    {
        if (ok() != config.conns() || engineError != null)
        {
            return false;
        }
        return verify == null || verify.routingCorrect() && verify.identified() == config.conns();
    }

    /** @return the process exit status for this report: {@link #EXIT_EXPECTATION_FAILED} only with --expect-all. */
    public int exitCode()
    {
        return config.expectAll() && !allSucceeded() ? EXIT_EXPECTATION_FAILED : EXIT_OK;
    }
}
