package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.report.HtmlReport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An RTMP run as the self-contained HTML page ({@code --html FILE}). */
public final class RtmpHtml
{
    private RtmpHtml()
    {
    }

    public static void write(final RtmpReport r, final Path file) throws IOException
    {
        page(r).write(file);
    }

    public static HtmlReport page(final RtmpReport r)
    {
        final RtmpConfig c = r.config();
        final HtmlReport page = new HtmlReport(String.format(java.util.Locale.ROOT,
            "loadgen rtmp: %d stream(s) x %d player(s), %s:%d", c.streams(), c.playersPerStream(),
            c.address().getHostAddress(), c.port()), RtmpSummaryTable.render(r));
        for (final RtmpLatency l : RtmpLatency.values())
        {
            page.latency(l.label(), r.latency(l).histogram());
        }
        final List<RtmpProgressSample> t = r.timeline();
        final int n = t.size();
        final double[] seconds = new double[n];
        final double[] arrivals = new double[n];
        final double[] target = new double[n];
        final double[] playing = new double[n];
        final double[] served = new double[n];
        final double[] frames = new double[n];
        final double[] megabytes = new double[n];
        final double[] playersFailed = new double[n];
        final double[] publishersFailed = new double[n];
        final double[] lost = new double[n];
        final double[] relayP50 = new double[n];
        final double[] relayP99 = new double[n];
        final double[] ttffP99 = new double[n];
        for (int i = 0; i < n; i++)
        {
            final RtmpProgressSample s = t.get(i);
            final RtmpProgressSample before = i == 0 ? null : t.get(i - 1);
            seconds[i] = s.elapsedNanos() / 1e9;
            arrivals[i] = s.arrivalRate();
            target[i] = s.targetArrivalRate();
            playing[i] = s.playing();
            served[i] = s.served();
            frames[i] = s.framesReceivedRate();
            megabytes[i] = s.bytesReadRate() / 1e6;
            playersFailed[i] = s.playersFailed() - (before == null ? 0 : before.playersFailed());
            publishersFailed[i] = s.publishersFailed() - (before == null ? 0 : before.publishersFailed());
            lost[i] = s.framesLost() - (before == null ? 0 : before.framesLost());
            relayP50[i] = s.intervalRelayP50Nanos() == 0 ? Double.NaN : s.intervalRelayP50Nanos() / 1e6;
            relayP99[i] = s.intervalRelayP99Nanos() == 0 ? Double.NaN : s.intervalRelayP99Nanos() / 1e6;
            ttffP99[i] = s.intervalFirstFrameP99Nanos() == 0 ? Double.NaN : s.intervalFirstFrameP99Nanos() / 1e6;
        }
        page.chart("players", "players", "count", seconds, List.of(new HtmlReport.Series("playing", playing),
            new HtmlReport.Series("served", served)));
        page.chart("rates", "rates", "per second", seconds, List.of(new HtmlReport.Series("player arrivals/s", arrivals),
            new HtmlReport.Series("target arrivals/s", target), new HtmlReport.Series("frames received/s", frames)));
        page.chart("throughput", "bytes read", "MB/s", seconds, List.of(new HtmlReport.Series("MB/s", megabytes)));
        page.chart("failures", "failures and loss per second", "count", seconds, List.of(
            new HtmlReport.Series("players failed", playersFailed), new HtmlReport.Series("publishers failed", publishersFailed),
            new HtmlReport.Series("frames lost", lost)));
        page.chart("latency-over-time", "latency over time", "ms", seconds, List.of(
            new HtmlReport.Series("relay p50", relayP50), new HtmlReport.Series("relay p99", relayP99),
            new HtmlReport.Series("time to first frame p99", ttffP99)));

        final List<List<String>> routes = new ArrayList<>();
        for (final WorkerRoute w : r.workers())
        {
            routes.add(List.of(w.pid() == 0 ? "(unnamed)" : Integer.toString(w.pid()), Integer.toString(w.publishers()),
                Integer.toString(w.players()), Integer.toString(w.playersServed()), Integer.toString(w.streams())));
        }
        page.table("routing", "Routing by worker (workerPid of Publish.Start / Play.Start)",
            List.of("worker pid", "publishers", "players", "players served", "streams"), routes);
        final List<List<String>> streams = new ArrayList<>();
        for (final StreamResult s : r.streams())
        {
            streams.add(List.of(s.name(), s.vhost(), s.publisherPid() == 0 ? "-" : Integer.toString(s.publisherPid()),
                Integer.toString(s.players()), Integer.toString(s.playing()), Integer.toString(s.served()),
                Integer.toString(s.gotNothing().size()), Long.toString(s.framesLost()), s.verified() ? "yes" : "NO",
                s.gotNothing().isEmpty() ? "" : s.gotNothing().toString()));
        }
        page.table("streams", "Streams", List.of("stream", "vhost", "publisher pid", "players", "playing", "served",
            "got nothing", "frames lost", "verified", "players that got nothing"), streams);
        return page;
    }
}
