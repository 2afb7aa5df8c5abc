package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.report.ProgressLine;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/** What the progress line of an RTMP run says, once a second, on stderr ({@link ProgressLine}). */
public final class RtmpProgressPrinter implements Consumer<RtmpProgressSample>
{
    private final ProgressLine out;
    private final RtmpConfig config;

    public RtmpProgressPrinter(final PrintWriter out, final boolean rewrite, final RtmpConfig config)
    {
        this.out = new ProgressLine(out, rewrite);
        this.config = config;
    }

    @Override
    public void accept(final RtmpProgressSample p)
    {
        final StringBuilder line = new StringBuilder(160);
        line.append(String.format(Locale.ROOT,
            "[%6.1fs] publishers %d/%d | players %d/%d playing %d served %d failed %d | arrivals/s %.0f",
            p.elapsedNanos() / 1e9, p.publishersLive(), config.streams(), p.playersStarted(), config.players(), p.playing(),
            p.served(), p.playersFailed(), p.arrivalRate()));
        if (p.targetArrivalRate() > 0)
        {
            line.append(String.format(Locale.ROOT, " (target %.0f)", p.targetArrivalRate()));
        }
        line.append(String.format(Locale.ROOT, " | frames/s %.0f lost %d | %.1f MB/s | relay p50 %s p99 %s ms | ttff p99 %s ms",
            p.framesReceivedRate(), p.framesLost(), p.bytesReadRate() / 1e6, ProgressLine.millis(p.intervalRelayP50Nanos()),
            ProgressLine.millis(p.intervalRelayP99Nanos()), ProgressLine.millis(p.intervalFirstFrameP99Nanos())));
        out.print(line);
    }

    public void finish()
    {
        out.finish();
    }
}
