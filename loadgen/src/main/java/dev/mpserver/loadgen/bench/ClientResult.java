package dev.mpserver.loadgen.bench;

import java.util.Locale;
import java.util.Map;

import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.Report;

/**
 * The figures of one client run that the bench compares, the same whichever client made them:
 * loadgen in-process (its {@link Report}), loadgen as a command (its JSON report) or the C client
 * (its key=value lines). Latencies in milliseconds; NaN where a client does not measure a figure.
 */
final class ClientResult
{
    /** Failure kinds, in this order in {@link #failures}; loadgen's io-error is "other". */
    static final String[] FAILURE_KINDS = {"refused", "reset", "closed", "timeout", "garbage", "other"};
    static final int ERROR_CODES = 256;
    private static final double NANOS_PER_MILLI = 1e6;
    private static final double MICROS_PER_MILLI = 1e3;

    final String client;
    long conns;
    long ok;
    long failed;
    long shed;
    long cutOff;
    long notStarted;
    long replies;
    double elapsedSeconds;
    double connsPerSec90 = Double.NaN;
    /** Connections started per second up to the last start: below an open loop's rate, the client fell behind. */
    double achievedRate = Double.NaN;
    final long[] failures = new long[FAILURE_KINDS.length];
    final long[] shedByCode = new long[ERROR_CODES];
    double routeP50Ms = Double.NaN;
    double routeP99Ms = Double.NaN;
    double routeMaxMs = Double.NaN;
    double routeFromIntendedP99Ms = Double.NaN;
    double messageP99Ms = Double.NaN;
    /**
     * With 'I' at the end: shards answered by more than one worker over the run (a shard may move
     * once its clients have gone; loadgen's "moved shards"); -1 without.
     */
    long severalWorkers = -1;
    /** With 'I': shards whose clients were in two workers at once (must be 0); -1 otherwise. */
    long splitShards = -1;

    private ClientResult(final String client)
    {
        this.client = client;
    }

    static ClientResult of(final String client, final Report report)
    {
        final ClientResult r = new ClientResult(client);
        r.conns = report.conns();
        r.ok = report.ok();
        r.failed = report.failed();
        r.shed = report.shed();
        r.cutOff = report.cutOff();
        r.notStarted = report.notStarted();
        r.replies = report.replies();
        r.elapsedSeconds = report.elapsedSeconds();
        r.connsPerSec90 = report.connsPerSecondUntil(0.9);
        r.achievedRate = report.achievedConnRate();
        for (final FailureKind kind : FailureKind.values())
        {
            r.failures[Math.min(kind.ordinal(), FAILURE_KINDS.length - 1)] += report.failures(kind);
        }
        for (int code = 0; code < ERROR_CODES; code++)
        {
            r.shedByCode[code] = report.errorReplies(code);
        }
        final LatencySummary route = report.latency(Latency.ROUTE);
        r.routeP50Ms = route.p50Nanos() / NANOS_PER_MILLI;
        r.routeP99Ms = route.p99Nanos() / NANOS_PER_MILLI;
        r.routeMaxMs = route.maxNanos() / NANOS_PER_MILLI;
        r.messageP99Ms = report.latency(Latency.MESSAGE).p99Nanos() / NANOS_PER_MILLI;
        if (null != report.verify())
        {
            r.severalWorkers = report.verify().movedShards();
            r.splitShards = report.verify().splitShards();
        }
        return r;
    }

    /** From the C client's output ({@code scripts/reference/epoll_client.c}, one key=value a line). */
    static ClientResult ofKeyValues(final String client, final Map<String, String> values)
    {
        final ClientResult r = new ClientResult(client);
        r.conns = whole(values, "conns");
        r.ok = whole(values, "ok");
        r.failed = whole(values, "failed");
        r.shed = whole(values, "shed");
        r.cutOff = whole(values, "cut_off");
        r.notStarted = whole(values, "not_started");
        r.replies = whole(values, "replies");
        r.elapsedSeconds = number(values, "elapsed_s");
        final double until90 = number(values, "conns_per_s_90");
        r.connsPerSec90 = until90 < 0 ? -1 : until90;
        r.achievedRate = number(values, "achieved_rate");
        for (int k = 0; k < FAILURE_KINDS.length; k++)
        {
            r.failures[k] = whole(values, "failed_" + FAILURE_KINDS[k]);
        }
        for (int code = 1; code < ERROR_CODES; code++)
        {
            final String count = values.get("shed_e" + code);
            if (null != count)
            {
                r.shedByCode[code] = Long.parseLong(count);
            }
        }
        r.shedByCode[0] += whole(values, "shed_e_other");
        r.routeP50Ms = number(values, "route_p50_us") / MICROS_PER_MILLI;
        r.routeP99Ms = number(values, "route_p99_us") / MICROS_PER_MILLI;
        r.routeMaxMs = number(values, "route_max_us") / MICROS_PER_MILLI;
        r.routeFromIntendedP99Ms = number(values, "route_from_intended_p99_us") / MICROS_PER_MILLI;
        r.messageP99Ms = number(values, "message_p99_us") / MICROS_PER_MILLI;
        if (values.containsKey("split_shards"))
        {
            r.severalWorkers = whole(values, "shards_on_several_workers");
            r.splitShards = whole(values, "split_shards");
        }
        return r;
    }

    /** From loadgen's JSON report (loadgen/README.md, "JSON report"): the figures it has. */
    static ClientResult ofLoadGenJson(final String client, final Map<String, Object> json)
    {
        final ClientResult r = new ClientResult(client);
        r.conns = (long)JsonTree.number(json, "connections.target");
        r.ok = (long)JsonTree.number(json, "connections.ok");
        r.failed = (long)JsonTree.number(json, "connections.failed");
        r.shed = (long)JsonTree.number(json, "connections.shed");
        r.cutOff = (long)JsonTree.number(json, "connections.cutOff");
        r.notStarted = (long)JsonTree.number(json, "connections.notStarted");
        r.replies = (long)JsonTree.number(json, "messages.replies");
        r.elapsedSeconds = JsonTree.number(json, "result.elapsedSeconds");
        for (int k = 0; k < FAILURE_KINDS.length - 1; k++)
        {
            r.failures[k] = (long)JsonTree.number(json, "failures.byKind." + FAILURE_KINDS[k]);
        }
        r.failures[FAILURE_KINDS.length - 1] = (long)JsonTree.number(json, "failures.byKind.io-error");
        r.routeP50Ms = JsonTree.number(json, "latency.route.p50") / MICROS_PER_MILLI;
        r.routeP99Ms = JsonTree.number(json, "latency.route.p99") / MICROS_PER_MILLI;
        r.routeMaxMs = JsonTree.number(json, "latency.route.max") / MICROS_PER_MILLI;
        r.messageP99Ms = JsonTree.number(json, "latency.message.fromActualSend.p99") / MICROS_PER_MILLI;
        return r;
    }

    private static long whole(final Map<String, String> values, final String key)
    {
        return (long)number(values, key);
    }

    private static double number(final Map<String, String> values, final String key)
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IllegalStateException("the C client printed no " + key);
        }
        return Double.parseDouble(value);
    }

    double msgsPerSec()
    {
        return elapsedSeconds > 0 ? replies / elapsedSeconds : 0;
    }

    double connsPerSec()
    {
        return elapsedSeconds > 0 ? ok / elapsedSeconds : 0;
    }

    /**
     * Records in {@code f}, for repeat {@code r}, how this run's clients that did not end ok ended:
     * failed by kind ("failed.&lt;kind&gt;"), shed, cut off, never started (see {@link #lossText}).
     */
    void setLosses(final Figures f, final int r)
    {
        for (int k = 0; k < FAILURE_KINDS.length; k++)
        {
            f.set("failed." + FAILURE_KINDS[k], r, failures[k]);
        }
        f.set("shed", r, shed);
        f.set("cutOff", r, cutOff);
        f.set("notStarted", r, notStarted);
    }

    /** "timeout 12, reset 3" from {@link #setLosses}'s failures, summed over repeats; "-" if none. */
    static String failureText(final Figures f)
    {
        final StringBuilder text = new StringBuilder();
        for (final String kind : FAILURE_KINDS)
        {
            final double n = f.sum("failed." + kind);
            if (n > 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append(kind).append(' ').append(String.format(Locale.ROOT, "%.0f", n));
            }
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    /** How clients that did not end ok ended, over repeats: failures by kind, then shed, cut off, not started if any. */
    static String lossText(final Figures f)
    {
        final StringBuilder text = new StringBuilder("failed: ").append(failureText(f));
        for (final String other : new String[] {"shed", "cutOff", "notStarted"})
        {
            final double n = f.sum(other);
            if (n > 0)
            {
                text.append(String.format(Locale.ROOT, "; %s %.0f", other, n));
            }
        }
        return text.toString();
    }

    /** Clients that did not end ok: failed, shed, cut off or never started. */
    long notOk()
    {
        return conns - ok;
    }
}
