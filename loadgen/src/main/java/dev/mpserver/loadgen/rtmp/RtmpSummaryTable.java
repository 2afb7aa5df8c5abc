package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.LatencyTable;

import java.util.List;
import java.util.Locale;

/** The human summary of an RTMP run (stdout): same percentiles and figures as the JSON. */
public final class RtmpSummaryTable
{
    /** Width of the latency figures' names, the first column: RTMP's are longer than run's. */
    private static final int NAME_WIDTH = 36;

    /** Per-stream lines listed in full up to this many streams; beyond, only streams with a problem. */
    private static final int ALL_STREAMS_UP_TO = 20;
    /** Player numbers listed per problem before "… and N more". */
    private static final int MAX_LISTED = 40;

    private RtmpSummaryTable()
    {
    }

    public static String render(final RtmpReport r)
    {
        final RtmpConfig c = r.config();
        final StringBuilder s = new StringBuilder(4096);
        line(s, "loadgen rtmp: %s:%d app %s, %d stream(s) x %d player(s) over %d vhost(s), %d thread(s)",
            c.address().getHostAddress(), c.port(), c.app(), c.streams(), c.playersPerStream(), c.vhosts(), r.threads());
        line(s, "media %d kbit/s video + %d kbit/s audio, %d fps, keyframe every %d frames (%d B key, %d B inter); "
            + "player arrivals %s", c.bitrate() / 1000, SyntheticMedia.AUDIO_BITS_PER_SECOND / 1000, c.fps(), c.gop(),
            SyntheticMedia.keyFrameLength(c.bitrate(), c.fps(), c.gop()), SyntheticMedia.interFrameLength(c.bitrate(), c.fps(), c.gop()),
            c.isOpenLoop() ? String.format(Locale.ROOT, "%.1f/s", c.rate()) : "all at once");
        line(s, "%s after %.3f s%s", r.stopReason().label(), r.elapsedSeconds(),
            r.engineError() == null ? "" : " — engine error: " + r.engineError());
        s.append('\n');

        final ClientRecords pub = r.publisherRecords();
        final ClientRecords play = r.playerRecords();
        line(s, "%-13s target %d  live %d  failed %d  cut off %d", "publishers", c.streams(), r.publishersLive(),
            r.outcome(pub, ClientRecords.FAILED), r.outcome(pub, ClientRecords.CUT_OFF));
        line(s, "%-13s target %d  started %d  connected %d  playing %d  served %d  got nothing %d", "players",
            c.players(), r.playersStarted(), r.total(RtmpCounters.PLAYERS_CONNECTED), r.playersPlaying(), r.playersServed(),
            r.playersGotNothing());
        line(s, "%-13s ok %d  failed %d  cut off %d  not started %d", "outcome", r.outcome(play, ClientRecords.OK),
            r.outcome(play, ClientRecords.FAILED), r.outcome(play, ClientRecords.CUT_OFF), r.outcome(play, ClientRecords.NOT_STARTED));
        line(s, "%-13s video sent %d  received %d  lost %d (of which at the end %d) in %d gap(s)  reordered %d  before first keyframe %d  "
            + "from GOP cache %d", "frames", r.total(RtmpCounters.VIDEO_FRAMES_SENT), r.total(RtmpCounters.VIDEO_FRAMES_RECEIVED),
            r.framesLost(), r.tailLoss(), r.total(RtmpCounters.GAPS), r.total(RtmpCounters.REORDERED),
            r.total(RtmpCounters.FRAMES_BEFORE_KEYFRAME), r.total(RtmpCounters.CACHED_FRAMES));
        line(s, "%-13s audio sent %d  received %d  lost %d; other streams' frames %d  unstamped %d  sent late %d", "",
            r.total(RtmpCounters.AUDIO_FRAMES_SENT), r.total(RtmpCounters.AUDIO_FRAMES_RECEIVED), r.total(RtmpCounters.AUDIO_FRAMES_LOST),
            r.total(RtmpCounters.FOREIGN_FRAMES), r.total(RtmpCounters.UNSTAMPED_FRAMES), r.total(RtmpCounters.FRAMES_SENT_LATE));
        line(s, "%-13s written %d B  read %d B (media %d B)  acks %d  pings %d", "bytes", r.total(RtmpCounters.BYTES_WRITTEN),
            r.total(RtmpCounters.BYTES_READ), r.total(RtmpCounters.MEDIA_BYTES_RECEIVED), r.total(RtmpCounters.ACKS_SENT),
            r.total(RtmpCounters.PINGS_ANSWERED));
        final SelfUsage self = r.self();
        line(s, "%-13s cpu %.2f s  rss %s (peak %s)  heap in use %.1f MiB", "loadgen", self.cpuNanos() / 1e9,
            kib(self.rssKib()), kib(self.peakRssKib()), self.heapUsedBytes() / 1048576.0);
        s.append('\n');

        LatencyTable.header(s, NAME_WIDTH);
        for (final RtmpLatency l : RtmpLatency.values())
        {
            latencyRow(s, r.latency(l));
        }
        s.append('\n');

        final String failed = failures(r, RtmpCounters.PUBLISHER, "publishers ") + failures(r, RtmpCounters.PLAYER, "players ");
        line(s, "%-13s %s", "failed", failed.isEmpty() ? "none" : failed);
        streams(s, r);
        workers(s, r);
        if (c.verify())
        {
            line(s, "%-13s %s", "verify", r.verified() ? "OK: every player got every frame from its first keyframe on"
                + (r.serverNamesWorkers() ? ", from its publisher's worker" : " (the server names no workers: checked by media only)")
                : "FAILED (exit status " + r.exitCode() + ")");
        }
        return s.toString();
    }

    private static String failures(final RtmpReport r, final int role, final String label)
    {
        final StringBuilder f = new StringBuilder();
        for (final RtmpPhase p : RtmpPhase.values())
        {
            for (final RtmpFailure k : RtmpFailure.values())
            {
                final long n = r.failures(role, p, k);
                if (n > 0)
                {
                    f.append(f.length() == 0 ? label : ", ").append(p.label()).append('/').append(k.label()).append(' ').append(n);
                }
            }
            final long cut = r.cutOff(role, p);
            if (cut > 0)
            {
                f.append(f.length() == 0 ? label : ", ").append(p.label()).append("/cut-off ").append(cut);
            }
        }
        return f.length() == 0 ? "" : f.append("; ").toString();
    }

    private static void streams(final StringBuilder s, final RtmpReport r)
    {
        final List<StreamResult> streams = r.streams();
        line(s, "%-13s %-10s %-12s %8s %8s %8s %8s %8s %8s  %s", "streams", "stream", "vhost", "pub pid", "players",
            "playing", "served", "nothing", "lost", "problems");
        int hidden = 0;
        for (final StreamResult st : streams)
        {
            final boolean problem = !st.verified();
            if (streams.size() > ALL_STREAMS_UP_TO && !problem)
            {
                hidden++;
                continue;
            }
            final StringBuilder problems = new StringBuilder();
            if (!st.publisherLive())
            {
                problems.append("publisher not live; ");
            }
            list(problems, "got nothing", st.gotNothing());
            list(problems, "lost frames", st.lossy());
            list(problems, "other worker", st.otherWorker());
            list(problems, "failed", st.failed());
            line(s, "%-13s %-10s %-12s %8s %8d %8d %8d %8d %8d  %s", "", st.name(), st.vhost(),
                st.publisherPid() == 0 ? "-" : Integer.toString(st.publisherPid()), st.players(), st.playing(), st.served(),
                st.gotNothing().size(), st.framesLost(), problems.length() == 0 ? "none" : problems);
        }
        if (hidden > 0)
        {
            line(s, "%-13s (%d more stream(s) without a problem)", "", hidden);
        }
    }

    private static void list(final StringBuilder out, final String what, final List<Integer> players)
    {
        if (players.isEmpty())
        {
            return;
        }
        out.append(what).append(" (").append(players.size()).append("): players");
        for (int i = 0; i < Math.min(players.size(), MAX_LISTED); i++)
        {
            out.append(' ').append(players.get(i));
        }
        if (players.size() > MAX_LISTED)
        {
            out.append(" … and ").append(players.size() - MAX_LISTED).append(" more");
        }
        out.append("; ");
    }

    private static void workers(final StringBuilder s, final RtmpReport r)
    {
        line(s, "%-13s %-10s %10s %8s %8s %8s", "routing", "worker pid", "publishers", "players", "served", "streams");
        for (final WorkerRoute w : r.workers())
        {
            line(s, "%-13s %-10s %10d %8d %8d %8d", "", w.pid() == 0 ? "(unnamed)" : Integer.toString(w.pid()), w.publishers(),
                w.players(), w.playersServed(), w.streams());
        }
    }

    private static void latencyRow(final StringBuilder s, final LatencySummary l)
    {
        LatencyTable.row(s, l, NAME_WIDTH);
    }

    private static String kib(final long kib)
    {
        return kib < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }

    private static void line(final StringBuilder s, final String format, final Object... args)
    {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
