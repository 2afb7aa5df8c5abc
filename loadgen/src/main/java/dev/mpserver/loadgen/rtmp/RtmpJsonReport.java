package dev.mpserver.loadgen.rtmp;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.mpserver.loadgen.report.LatencyJson;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An RTMP run as JSON ({@code --json FILE}), written with Jackson's streaming generator. Same
 * conventions as {@code run}'s report: latencies in microseconds with the table's percentiles and
 * the full HdrHistogram (nanoseconds, compressed, base64), rates per second, null where a figure
 * does not apply. Field reference: {@code loadgen/README.md}.
 */
public final class RtmpJsonReport
{
    public static final String FORMAT = "mpserver-loadgen-rtmp-report";
    /** Bumped when a field changes meaning or disappears; adding fields does not bump it. */
    public static final int FORMAT_VERSION = 1;

    private static final String[] OUTCOMES = {"not-started", "ok", "failed", "cut-off"};

    private RtmpJsonReport()
    {
    }

    public static void write(final RtmpReport report, final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            write(report, out);
        }
    }

    public static String render(final RtmpReport report)
    {
        final StringWriter out = new StringWriter(16 * 1024);
        try
        {
            write(report, out);
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("writing to a string failed", e);
        }
        return out.toString();
    }

    public static void write(final RtmpReport r, final Writer out) throws IOException
    {
        final RtmpConfig c = r.config();
        try (JsonGenerator g = LatencyJson.generator(out))
        {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("formatVersion", FORMAT_VERSION);
            g.writeStringField("command", "rtmp");
            config(g, r, c);

            g.writeObjectFieldStart("result");
            g.writeStringField("stopReason", r.stopReason().label());
            LatencyJson.number(g, "elapsedSeconds", r.elapsedSeconds());
            g.writeBooleanField("verified", r.verified());
            g.writeBooleanField("serverNamesWorkers", r.serverNamesWorkers());
            g.writeNumberField("exitCode", r.exitCode());
            g.writeStringField("engineError", r.engineError());
            g.writeEndObject();

            final ClientRecords pub = r.publisherRecords();
            final ClientRecords play = r.playerRecords();
            g.writeObjectFieldStart("publishers");
            g.writeNumberField("target", c.streams());
            g.writeNumberField("live", r.publishersLive());
            g.writeNumberField("failed", r.outcome(pub, ClientRecords.FAILED));
            g.writeNumberField("cutOff", r.outcome(pub, ClientRecords.CUT_OFF));
            g.writeEndObject();

            g.writeObjectFieldStart("players");
            g.writeNumberField("target", c.players());
            g.writeNumberField("started", r.playersStarted());
            g.writeNumberField("connected", r.total(RtmpCounters.PLAYERS_CONNECTED));
            g.writeNumberField("playing", r.playersPlaying());
            g.writeNumberField("served", r.playersServed());
            g.writeNumberField("gotNothing", r.playersGotNothing());
            g.writeNumberField("ok", r.outcome(play, ClientRecords.OK));
            g.writeNumberField("failed", r.outcome(play, ClientRecords.FAILED));
            g.writeNumberField("cutOff", r.outcome(play, ClientRecords.CUT_OFF));
            g.writeNumberField("notStarted", r.outcome(play, ClientRecords.NOT_STARTED));
            g.writeEndObject();

            frames(g, r);
            g.writeObjectFieldStart("bytes");
            g.writeNumberField("written", r.total(RtmpCounters.BYTES_WRITTEN));
            g.writeNumberField("read", r.total(RtmpCounters.BYTES_READ));
            g.writeNumberField("mediaReceived", r.total(RtmpCounters.MEDIA_BYTES_RECEIVED));
            g.writeNumberField("acknowledgementsSent", r.total(RtmpCounters.ACKS_SENT));
            g.writeNumberField("pingsAnswered", r.total(RtmpCounters.PINGS_ANSWERED));
            g.writeEndObject();

            failures(g, r);
            g.writeObjectFieldStart("latency");
            g.writeStringField("unit", "microseconds");
            g.writeStringField("histogramEncoding", "HdrHistogram encodeIntoCompressedByteBuffer, base64; values in nanoseconds");
            LatencyJson.write(g, "connect", r.latency(RtmpLatency.CONNECT));
            LatencyJson.write(g, "publishStart", r.latency(RtmpLatency.PUBLISH_START));
            LatencyJson.write(g, "playStart", r.latency(RtmpLatency.PLAY_START));
            LatencyJson.write(g, "timeToFirstFrame", r.latency(RtmpLatency.FIRST_FRAME));
            LatencyJson.write(g, "playStartToFirstFrame", r.latency(RtmpLatency.PLAY_TO_FIRST_FRAME));
            LatencyJson.write(g, "relay", r.latency(RtmpLatency.RELAY));
            g.writeEndObject();

            self(g, r.self(), c);
            streams(g, r.streams());
            workers(g, r.workers());
            timeline(g, r.timeline());
            clients(g, "publisherDetails", pub, c, false);
            clients(g, "playerDetails", play, c, true);
            g.writeEndObject();
        }
    }

    private static void config(final JsonGenerator g, final RtmpReport r, final RtmpConfig c) throws IOException
    {
        g.writeObjectFieldStart("config");
        g.writeStringField("host", c.host());
        g.writeStringField("address", c.address().getHostAddress());
        g.writeNumberField("port", c.port());
        g.writeStringField("app", c.app());
        g.writeNumberField("threads", c.threads());
        g.writeNumberField("threadsUsed", r.threads());
        g.writeNumberField("streams", c.streams());
        g.writeNumberField("playersPerStream", c.playersPerStream());
        g.writeNumberField("vhosts", c.vhosts());
        g.writeNumberField("videoBitsPerSecond", c.bitrate());
        g.writeNumberField("audioBitsPerSecond", SyntheticMedia.AUDIO_BITS_PER_SECOND);
        g.writeNumberField("fps", c.fps());
        g.writeNumberField("gop", c.gop());
        g.writeNumberField("keyFrameBytes", SyntheticMedia.keyFrameLength(c.bitrate(), c.fps(), c.gop()));
        g.writeNumberField("interFrameBytes", SyntheticMedia.interFrameLength(c.bitrate(), c.fps(), c.gop()));
        g.writeNumberField("audioFrameBytes", SyntheticMedia.audioFrameLength());
        g.writeStringField("mode", c.isOpenLoop() ? "open" : "closed");
        LatencyJson.number(g, "playerArrivalsPerSecond", c.isOpenLoop() ? c.rate() : Double.NaN);
        LatencyJson.number(g, "durationSeconds", c.durationNanos() / 1e9);
        LatencyJson.number(g, "drainSeconds", c.drainNanos() / 1e9);
        LatencyJson.number(g, "timeoutSeconds", c.timeoutNanos() / 1e9);
        g.writeBooleanField("verify", c.verify());
        g.writeEndObject();
    }

    private static void frames(final JsonGenerator g, final RtmpReport r) throws IOException
    {
        g.writeObjectFieldStart("frames");
        g.writeNumberField("videoSent", r.total(RtmpCounters.VIDEO_FRAMES_SENT));
        g.writeNumberField("audioSent", r.total(RtmpCounters.AUDIO_FRAMES_SENT));
        g.writeNumberField("videoReceived", r.total(RtmpCounters.VIDEO_FRAMES_RECEIVED));
        g.writeNumberField("audioReceived", r.total(RtmpCounters.AUDIO_FRAMES_RECEIVED));
        g.writeNumberField("lost", r.framesLost());
        g.writeNumberField("lostAtEnd", r.tailLoss());
        g.writeNumberField("gaps", r.total(RtmpCounters.GAPS));
        g.writeNumberField("reordered", r.total(RtmpCounters.REORDERED));
        g.writeNumberField("audioLost", r.total(RtmpCounters.AUDIO_FRAMES_LOST));
        g.writeNumberField("beforeFirstKeyframe", r.total(RtmpCounters.FRAMES_BEFORE_KEYFRAME));
        g.writeNumberField("fromGopCache", r.total(RtmpCounters.CACHED_FRAMES));
        g.writeNumberField("otherStreams", r.total(RtmpCounters.FOREIGN_FRAMES));
        g.writeNumberField("unstamped", r.total(RtmpCounters.UNSTAMPED_FRAMES));
        g.writeNumberField("sequenceHeaders", r.total(RtmpCounters.SEQUENCE_HEADERS));
        g.writeNumberField("sentLate", r.total(RtmpCounters.FRAMES_SENT_LATE));
        g.writeNumberField("publishNotifies", r.total(RtmpCounters.PUBLISH_NOTIFIES));
        g.writeNumberField("unpublishNotifies", r.total(RtmpCounters.UNPUBLISH_NOTIFIES));
        g.writeEndObject();
    }

    private static void failures(final JsonGenerator g, final RtmpReport r) throws IOException
    {
        g.writeObjectFieldStart("failures");
        for (final int role : new int[] {RtmpCounters.PUBLISHER, RtmpCounters.PLAYER})
        {
            g.writeObjectFieldStart(role == RtmpCounters.PLAYER ? "players" : "publishers");
            for (final RtmpPhase p : RtmpPhase.values())
            {
                g.writeObjectFieldStart(p.label());
                for (final RtmpFailure k : RtmpFailure.values())
                {
                    g.writeNumberField(k.label(), r.failures(role, p, k));
                }
                g.writeNumberField("cut-off", r.cutOff(role, p));
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void self(final JsonGenerator g, final SelfUsage self, final RtmpConfig c) throws IOException
    {
        g.writeObjectFieldStart("loadgen");
        LatencyJson.number(g, "cpuSeconds", self.cpuNanos() < 0 ? Double.NaN : self.cpuNanos() / 1e9);
        g.writeNumberField("rssKib", self.rssKib());
        g.writeNumberField("peakRssKib", self.peakRssKib());
        g.writeNumberField("heapUsedBytes", self.heapUsedBytes());
        g.writeNumberField("connections", c.connections());
        g.writeEndObject();
    }

    private static void streams(final JsonGenerator g, final List<StreamResult> streams) throws IOException
    {
        g.writeArrayFieldStart("streams");
        for (final StreamResult s : streams)
        {
            g.writeStartObject();
            g.writeNumberField("stream", s.stream());
            g.writeStringField("name", s.name());
            g.writeStringField("vhost", s.vhost());
            g.writeBooleanField("publisherLive", s.publisherLive());
            g.writeNumberField("publisherPid", s.publisherPid());
            g.writeNumberField("videoFramesSent", s.videoFramesSent());
            g.writeNumberField("players", s.players());
            g.writeNumberField("playing", s.playing());
            g.writeNumberField("served", s.served());
            g.writeNumberField("framesLost", s.framesLost());
            g.writeBooleanField("verified", s.verified());
            ints(g, "gotNothing", s.gotNothing());
            ints(g, "lostFrames", s.lossy());
            ints(g, "otherWorker", s.otherWorker());
            ints(g, "failed", s.failed());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void ints(final JsonGenerator g, final String name, final List<Integer> values) throws IOException
    {
        g.writeArrayFieldStart(name);
        for (final int v : values)
        {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    private static void workers(final JsonGenerator g, final List<WorkerRoute> workers) throws IOException
    {
        g.writeArrayFieldStart("workers");
        for (final WorkerRoute w : workers)
        {
            g.writeStartObject();
            g.writeNumberField("pid", w.pid());
            g.writeNumberField("publishers", w.publishers());
            g.writeNumberField("players", w.players());
            g.writeNumberField("playersServed", w.playersServed());
            g.writeNumberField("streams", w.streams());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void timeline(final JsonGenerator g, final List<RtmpProgressSample> samples) throws IOException
    {
        g.writeArrayFieldStart("timeline");
        for (final RtmpProgressSample s : samples)
        {
            g.writeStartObject();
            LatencyJson.number(g, "elapsedSeconds", s.elapsedNanos() / 1e9);
            LatencyJson.number(g, "intervalSeconds", s.intervalNanos() / 1e9);
            g.writeNumberField("publishersLive", s.publishersLive());
            g.writeNumberField("publishersFailed", s.publishersFailed());
            g.writeNumberField("playersStarted", s.playersStarted());
            g.writeNumberField("playing", s.playing());
            g.writeNumberField("served", s.served());
            g.writeNumberField("playersFailed", s.playersFailed());
            g.writeNumberField("videoFramesSent", s.videoFramesSent());
            g.writeNumberField("videoFramesReceived", s.videoFramesReceived());
            g.writeNumberField("framesLost", s.framesLost());
            LatencyJson.number(g, "arrivalRate", s.arrivalRate());
            LatencyJson.number(g, "targetArrivalRate", s.targetArrivalRate());
            LatencyJson.number(g, "framesReceivedRate", s.framesReceivedRate());
            LatencyJson.number(g, "bytesReadRate", s.bytesReadRate());
            g.writeNumberField("relayP50", LatencyJson.micros(s.intervalRelayP50Nanos()));
            g.writeNumberField("relayP99", LatencyJson.micros(s.intervalRelayP99Nanos()));
            g.writeNumberField("timeToFirstFrameP99", LatencyJson.micros(s.intervalFirstFrameP99Nanos()));
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void clients(final JsonGenerator g, final String name, final ClientRecords c, final RtmpConfig config,
        final boolean players) throws IOException
    {
        g.writeArrayFieldStart(name);
        for (int i = 0; i < c.size(); i++)
        {
            g.writeStartObject();
            g.writeNumberField(players ? "player" : "publisher", i);
            g.writeNumberField("stream", players ? config.streamOfPlayer(i) : i);
            g.writeStringField("outcome", OUTCOMES[c.outcome[i]]);
            g.writeStringField("phase", RtmpPhase.values()[c.phase[i]].label());
            g.writeStringField("failure", c.outcome[i] == ClientRecords.FAILED ? RtmpFailure.values()[c.failure[i]].label() : null);
            g.writeNumberField("workerPid", c.workerPid[i]);
            g.writeNumberField("localPort", c.localPort[i]);
            g.writeNumberField("videoFrames", c.videoFrames[i]);
            g.writeNumberField("audioFrames", c.audioFrames[i]);
            if (players)
            {
                g.writeNumberField("firstKeyframeSeq", c.firstKeySeq[i]);
                g.writeNumberField("highestSeq", c.highestSeq[i]);
                g.writeNumberField("framesBeforeKeyframe", c.framesBeforeKey[i]);
                g.writeNumberField("lost", c.lost[i]);
                g.writeNumberField("gaps", c.gaps[i]);
                g.writeNumberField("reordered", c.reordered[i]);
                g.writeNumberField("audioLost", c.audioLost[i]);
                g.writeNumberField("otherStreamFrames", c.foreign[i]);
                millis(g, "playStartMs", c.startNanos[i]);
                millis(g, "timeToFirstFrameMs", c.firstFrameNanos[i]);
            }
            else
            {
                millis(g, "publishStartMs", c.firstFrameNanos[i]);
            }
            g.writeNumberField("bytesRead", c.bytesRead[i]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void millis(final JsonGenerator g, final String name, final long nanos) throws IOException
    {
        LatencyJson.number(g, name, nanos == ClientRecords.NONE ? Double.NaN : nanos / 1e6);
    }
}
