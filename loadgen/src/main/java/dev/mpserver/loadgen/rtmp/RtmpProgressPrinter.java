package dev.mpserver.loadgen.rtmp;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;

/** The once-a-second progress line of an RTMP run on stderr: rewritten in place on a terminal, else one line a second. */
public final class RtmpProgressPrinter implements Consumer<RtmpProgressSample>
{
    private final PrintWriter out;
    private final boolean rewrite;
    private final RtmpConfig config;
    private int lastLength;

    public RtmpProgressPrinter(final PrintWriter out, final boolean rewrite, final RtmpConfig config)
    {
        this.out = out;
        this.rewrite = rewrite;
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
            p.framesReceivedRate(), p.framesLost(), p.bytesReadRate() / 1e6, millis(p.intervalRelayP50Nanos()),
            millis(p.intervalRelayP99Nanos()), millis(p.intervalFirstFrameP99Nanos())));
        if (rewrite)
        {
            final int length = line.length();
            while (line.length() < lastLength)
            {
                line.append(' ');
            }
            lastLength = length;
            out.print('\r');
            out.print(line);
        }
        else
        {
            out.println(line);
        }
        out.flush();
    }

    private static String millis(final long nanos)
    {
        return nanos == 0 ? "-" : RtmpSummaryTable.millis(nanos);
    }

    public void finish()
    {
        if (rewrite && lastLength > 0)
        {
            out.println();
            out.flush();
        }
    }
}
