package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.server.ServerCounter;
import dev.mpserver.protocol.wire.ErrorCode;

import java.util.Locale;

/** The human summary printed at the end of a run (stdout). Same percentiles as the JSON. */
public final class SummaryTable
{
    /** Width of the latency figures' names, the first column. */
    private static final int NAME_WIDTH = 30;

    private SummaryTable()
    {
    }

    public static String render(final Report r)
    {
        final LoadConfig c = r.config();
        final StringBuilder s = new StringBuilder(2048);
        line(s, "loadgen %s: %s:%d, %s loop, %d thread(s), ids %s%s, seed %d",
            c.command(), c.address().getHostAddress(), c.port(), c.isOpenLoop() ? "open" : "closed", r.threads(),
            c.shardIds(), c.shardIds().usesShardSpace() ? " over " + c.shards() + " shards" : "", c.seed());
        line(s, "arrivals %s; %d msg(s)/conn%s, pipeline %d, concurrency %d",
            c.arrivals(), c.msgs(), c.msgRate() > 0 ? String.format(Locale.ROOT, " at %.1f/s", c.msgRate()) : " back to back",
            c.pipeline(), c.concurrency());
        line(s, "%s after %.3f s%s", r.stopReason().label(), r.elapsedSeconds(),
            r.engineError() == null ? "" : " — engine error: " + r.engineError());
        final WarmUpSummary warmUp = r.warmUp();
        if (warmUp != null)
        {
            line(s, "before it, loadgen warmed its own code: %d of %d clients against an in-process server in %.3f s, "
                + "in no figure%s", warmUp.ok(), warmUp.conns(), warmUp.seconds(),
                warmUp.failure() == null ? "" : " — it failed: " + warmUp.failure());
        }
        s.append('\n');

        line(s, "%-13s target %d  started %d  connected %d  routed %d", "connections", r.conns(), r.started(),
            r.connected(), r.routed());
        line(s, "%-13s ok %d  shed %d  failed %d  cut off %d  not started %d", "outcome", r.ok(), r.shed(), r.failed(),
            r.cutOff(), r.notStarted());
        line(s, "%-13s sent %d  replies %d  identify %d/%d  broadcasts received %d", "messages", r.messagesSent(),
            r.replies(), r.identifyReplies(), r.identifySent(), r.broadcastsReceived());
        line(s, "%-13s conn/s %s (target %s)   msg/s %.1f   msg/s per conn %.2f (target %s)", "rates",
            num(r.achievedConnRate()), c.arrivals().isPaced() ? num(r.targetConnRate()) : "none: not paced",
            r.achievedMsgRate(), r.achievedMsgRatePerConn(), c.msgRate() > 0 ? num(c.msgRate()) : "none: back to back");
        s.append('\n');

        LatencyTable.header(s, NAME_WIDTH);
        latencyRow(s, r.latency(Latency.CONNECT));
        if (c.arrivals().isPaced())
        {
            latencyRow(s, r.latency(Latency.CONNECT_FROM_INTENDED));
        }
        latencyRow(s, r.latency(Latency.ROUTE));
        if (c.msgRate() > 0)
        {
            latencyRow(s, r.latency(Latency.MESSAGE_FROM_INTENDED));
            latencyRow(s, r.latency(Latency.MESSAGE));
        }
        else
        {
            // Without --msg-rate a message is intended when the pipeline frees: both figures are equal.
            latencyRow(s, r.latency(Latency.MESSAGE));
        }
        s.append('\n');

        final StringBuilder failures = new StringBuilder();
        for (final Phase p : Phase.values())
        {
            if (r.failures(p) == 0)
            {
                continue;
            }
            failures.append(failures.length() == 0 ? "" : "; ").append(p.label()).append(' ').append(r.failures(p)).append(" (");
            boolean first = true;
            for (final FailureKind k : FailureKind.values())
            {
                if (r.failures(p, k) > 0)
                {
                    failures.append(first ? "" : ", ").append(k.label()).append(' ').append(r.failures(p, k));
                    first = false;
                }
            }
            failures.append(')');
        }
        line(s, "%-13s %s", "failed", failures.length() == 0 ? "none" : failures);

        final StringBuilder shed = new StringBuilder();
        for (final ErrorCode e : ErrorCode.values())
        {
            if (r.errorReplies(e) > 0)
            {
                shed.append(shed.length() == 0 ? "" : ", ").append('E').append(e.code()).append(' ').append(e.text())
                    .append(' ').append(r.errorReplies(e));
            }
        }
        if (r.unknownErrorReplies() > 0)
        {
            shed.append(shed.length() == 0 ? "" : ", ").append("unknown code ").append(r.unknownErrorReplies());
        }
        line(s, "%-13s %s", "shed ('E')", shed.length() == 0 ? "none" : shed);

        final VerifyResult v = r.verify();
        if (v != null)
        {
            line(s, "%-13s %s: %d client(s) identified, %d shard(s) on %d worker(s); split shards %d (clients in two workers "
                + "at once), moved %d (on another worker once empty), clients on a wrong shard %d", "verify",
                v.routingCorrect() ? "OK" : "ROUTING WRONG", v.identified(), v.shards(), v.workers().size(), v.splitShards(),
                v.movedShards(), v.mismatchedClients());
            for (final VerifyResult.SplitShard split : v.splitExamples())
            {
                line(s, "%-13s shard %d seen on pids %s", "", split.shard(), split.pids());
            }
        }
        r.serverCounters().ifPresent(snapshot ->
        {
            line(s, "%-13s from %s", "server", snapshot.source());
            for (final ServerCounter counter : snapshot.counters())
            {
                line(s, "%-13s %-30s %d", "", counter.label(), counter.value());
            }
        });
        if (c.expectAll())
        {
            line(s, "%-13s %s", "expect-all", r.allSucceeded() ? "met" : "NOT MET (exit status " + r.exitCode() + ")");
        }
        return s.toString();
    }

    private static void latencyRow(final StringBuilder s, final LatencySummary l)
    {
        LatencyTable.row(s, l, NAME_WIDTH);
    }

    private static String num(final double value)
    {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static void line(final StringBuilder s, final String format, final Object... args)
    {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
