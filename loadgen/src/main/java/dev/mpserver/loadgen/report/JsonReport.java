package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.server.ServerCounter;
import dev.mpserver.loadgen.server.ServerCountersSnapshot;
import dev.mpserver.protocol.wire.ErrorCode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The report as JSON ({@code --json FILE}): every figure of the text table and more. Latencies are in
 * microseconds (fractional), with the same percentiles as the table, and each comes with its full
 * HdrHistogram (compressed, base64, values in nanoseconds). Field reference: {@code loadgen/README.md}.
 */
public final class JsonReport
{
    /** Bumped when a field changes meaning or disappears; adding fields does not bump it. */
    public static final int FORMAT_VERSION = 1;
    public static final String HISTOGRAM_ENCODING =
        "HdrHistogram encodeIntoCompressedByteBuffer, base64; values in nanoseconds";

    private JsonReport()
    {
    }

    public static void write(final Report report, final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(report), StandardCharsets.UTF_8);
    }

    public static String render(final Report r)
    {
        final LoadConfig c = r.config();
        final JsonWriter w = new JsonWriter();
        w.beginObject();
        w.field("format", "mpserver-loadgen-report");
        w.field("formatVersion", FORMAT_VERSION);
        w.field("command", c.command());

        config(w, r, c);

        w.name("result").beginObject();
        w.field("stopReason", r.stopReason().label());
        w.field("elapsedSeconds", r.elapsedSeconds());
        w.field("allSucceeded", r.allSucceeded());
        w.field("exitCode", r.exitCode());
        w.field("engineError", r.engineError());
        w.endObject();

        final WarmUpSummary warmUp = r.warmUp();
        if (warmUp != null)
        {
            w.name("selfWarmUp").beginObject();
            w.field("conns", warmUp.conns());
            w.field("ok", warmUp.ok());
            w.field("seconds", warmUp.seconds());
            w.field("failure", warmUp.failure());
            w.endObject();
        }

        w.name("connections").beginObject();
        w.field("target", r.conns());
        w.field("started", r.started());
        w.field("connected", r.connected());
        w.field("routed", r.routed());
        w.field("ok", r.ok());
        w.field("shed", r.shed());
        w.field("failed", r.failed());
        w.field("cutOff", r.cutOff());
        w.field("notStarted", r.notStarted());
        w.endObject();

        w.name("messages").beginObject();
        w.field("sent", r.messagesSent());
        w.field("replies", r.replies());
        w.field("identifySent", r.identifySent());
        w.field("identifyReplies", r.identifyReplies());
        w.field("broadcastsReceived", r.broadcastsReceived());
        w.field("bytesWritten", r.bytesWritten());
        w.field("bytesRead", r.bytesRead());
        w.endObject();

        rates(w, r, c);
        failures(w, r);
        shed(w, r);
        latencies(w, r);
        verify(w, r.verify());
        timeline(w, r.timeline());
        w.name("serverCounters");
        if (r.serverCounters().isPresent())
        {
            serverCounters(w, r.serverCounters().get());
        }
        else
        {
            w.value((String)null);
        }
        w.endObject();
        return w.toString();
    }

    private static void config(final JsonWriter w, final Report r, final LoadConfig c)
    {
        final ArrivalSchedule a = c.arrivals();
        w.name("config").beginObject();
        w.field("host", c.host());
        w.field("address", c.address().getHostAddress());
        w.field("port", c.port());
        w.field("mode", c.isOpenLoop() ? "open" : "closed");
        w.field("threads", c.threads());
        w.field("threadsUsed", r.threads());
        w.field("conns", c.conns());
        w.field("msgsPerConn", c.msgs());
        w.field("concurrency", c.concurrency());
        w.name("arrivals").beginObject();
        w.field("paced", a.isPaced());
        w.field("startRate", a.startRate());
        w.field("rate", a.endRate());
        w.field("rampSeconds", a.rampNanos() / 1e9);
        w.field("burst", a.burst());
        w.endObject();
        w.field("msgRatePerConn", c.msgRate());
        w.field("pipeline", c.pipeline());
        w.field("ids", c.shardIds().toString());
        w.field("shards", c.shards());
        w.field("seed", c.seed());
        w.field("durationSeconds", c.durationNanos() / 1e9);
        w.field("timeoutSeconds", c.timeoutNanos() / 1e9);
        w.field("holdSeconds", c.holdNanos() / 1e9);
        w.field("verify", c.verify());
        w.field("expectAll", c.expectAll());
        w.field("runDir", c.runDir() == null ? null : c.runDir().toString());
        w.endObject();
    }

    private static void rates(final JsonWriter w, final Report r, final LoadConfig c)
    {
        w.name("rates").beginObject();
        w.name("connectionsPerSecond").beginObject();
        w.field("target", c.arrivals().isPaced() ? r.targetConnRate() : Double.NaN);
        w.field("achieved", r.achievedConnRate());
        w.endObject();
        w.name("messagesPerSecondPerConn").beginObject();
        w.field("target", c.msgRate() > 0 ? c.msgRate() : Double.NaN);
        w.field("achieved", r.achievedMsgRatePerConn());
        w.endObject();
        w.name("messagesPerSecond").beginObject();
        w.field("targetAtFullConcurrency",
            c.msgRate() > 0 ? c.msgRate() * Math.min(c.conns(), c.concurrency()) : Double.NaN);
        w.field("achieved", r.achievedMsgRate());
        w.endObject();
        w.endObject();
    }

    private static void failures(final JsonWriter w, final Report r)
    {
        w.name("failures").beginObject();
        w.field("total", r.failed());
        w.name("byPhase").beginObject();
        for (final Phase p : Phase.values())
        {
            w.field(p.label(), r.failures(p));
        }
        w.endObject();
        w.name("byKind").beginObject();
        for (final FailureKind k : FailureKind.values())
        {
            w.field(k.label(), r.failures(k));
        }
        w.endObject();
        w.name("byPhaseAndKind").beginObject();
        for (final Phase p : Phase.values())
        {
            w.name(p.label()).beginObject();
            for (final FailureKind k : FailureKind.values())
            {
                w.field(k.label(), r.failures(p, k));
            }
            w.endObject();
        }
        w.endObject();
        w.endObject();
    }

    private static void shed(final JsonWriter w, final Report r)
    {
        w.name("shed").beginObject();
        w.field("total", r.shed());
        w.name("byPhase").beginObject();
        for (final Phase p : Phase.values())
        {
            w.field(p.label(), r.shed(p));
        }
        w.endObject();
        w.name("errorRepliesByCode").beginObject();
        for (final ErrorCode e : ErrorCode.values())
        {
            w.name(Integer.toString(e.code())).beginObject();
            w.field("name", e.name());
            w.field("text", e.text());
            w.field("count", r.errorReplies(e));
            w.endObject();
        }
        w.field("unknown", r.unknownErrorReplies());
        w.endObject();
        w.endObject();
    }

    private static void latencies(final JsonWriter w, final Report r)
    {
        w.name("latency").beginObject();
        w.field("unit", "microseconds");
        w.field("histogramEncoding", HISTOGRAM_ENCODING);
        latency(w, "connect", r.latency(Latency.CONNECT));
        latency(w, "connectFromIntendedStart", r.latency(Latency.CONNECT_FROM_INTENDED));
        latency(w, "route", r.latency(Latency.ROUTE));
        w.name("message").beginObject();
        latency(w, "fromIntendedSend", r.latency(Latency.MESSAGE_FROM_INTENDED));
        latency(w, "fromActualSend", r.latency(Latency.MESSAGE));
        w.endObject();
        w.endObject();
    }

    private static void latency(final JsonWriter w, final String name, final LatencySummary s)
    {
        w.name(name).beginObject();
        w.field("count", s.count());
        w.field("min", micros(s.minNanos()));
        w.field("mean", micros((long)s.meanNanos()));
        for (int i = 0; i < LatencySummary.PERCENTILES.length; i++)
        {
            w.field(LatencySummary.PERCENTILE_NAMES[i], micros(s.percentileNanos(LatencySummary.PERCENTILES[i])));
        }
        w.field("max", micros(s.maxNanos()));
        w.field("histogram", s.encodedBase64());
        w.endObject();
    }

    private static void verify(final JsonWriter w, final VerifyResult v)
    {
        w.name("verify");
        if (v == null)
        {
            w.value((String)null);
            return;
        }
        w.beginObject();
        w.field("identified", v.identified());
        w.field("shards", v.shards());
        w.field("splitShards", v.splitShards());
        w.field("movedShards", v.movedShards());
        w.field("mismatchedClients", v.mismatchedClients());
        w.field("routingCorrect", v.routingCorrect());
        w.name("workers").beginArray();
        for (final VerifyResult.Worker worker : v.workers())
        {
            w.beginObject().field("pid", worker.pid()).field("clients", worker.clients())
                .field("shards", worker.shards()).endObject();
        }
        w.endArray();
        w.name("splitExamples").beginArray();
        for (final VerifyResult.SplitShard split : v.splitExamples())
        {
            w.beginObject().field("shard", split.shard());
            w.name("pids").beginArray();
            for (final int pid : split.pids())
            {
                w.value(pid);
            }
            w.endArray().endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void timeline(final JsonWriter w, final List<ProgressSample> samples)
    {
        w.name("timeline").beginArray();
        for (final ProgressSample s : samples)
        {
            w.beginObject();
            w.field("elapsedSeconds", s.elapsedNanos() / 1e9);
            w.field("intervalSeconds", s.intervalNanos() / 1e9);
            w.field("started", s.started());
            w.field("connected", s.connected());
            w.field("routed", s.routed());
            w.field("ok", s.ok());
            w.field("shed", s.shed());
            w.field("failed", s.failed());
            w.field("open", s.open());
            w.field("messagesSent", s.messagesSent());
            w.field("replies", s.replies());
            w.field("connRate", s.connRate());
            w.field("targetConnRate", s.targetConnRate());
            w.field("replyRate", s.replyRate());
            w.field("connectP99", micros(s.intervalConnectP99Nanos()));
            w.field("routeP99", micros(s.intervalRouteP99Nanos()));
            w.field("messageFromIntendedP50", micros(s.intervalMessageP50Nanos()));
            w.field("messageFromIntendedP99", micros(s.intervalMessageP99Nanos()));
            if (!s.serverCounters().isEmpty())
            {
                counters(w, s.serverCounters());
            }
            w.endObject();
        }
        w.endArray();
    }

    private static void serverCounters(final JsonWriter w, final ServerCountersSnapshot snapshot)
    {
        w.beginObject();
        w.field("source", snapshot.source().toString());
        counters(w, snapshot.counters());
        w.endObject();
    }

    private static void counters(final JsonWriter w, final List<ServerCounter> counters)
    {
        w.name("serverCounters").beginObject();
        for (final ServerCounter counter : counters)
        {
            w.field(counter.label(), counter.value());
        }
        w.endObject();
    }

    private static double micros(final long nanos)
    {
        return nanos / 1000.0;
    }
}
