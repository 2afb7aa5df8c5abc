package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.engine.ProgressListener;
import dev.mpserver.loadgen.server.ServerCounter;

import java.io.PrintWriter;
import java.util.Locale;

/** What the live progress line of a run says, once a second, on stderr ({@link ProgressLine}). */
public final class ProgressPrinter implements ProgressListener
{
    private final ProgressLine out;
    private final long conns;

    public ProgressPrinter(final PrintWriter out, final boolean rewrite, final long conns)
    {
        this.out = new ProgressLine(out, rewrite);
        this.conns = conns;
    }

    @Override
    public void onProgress(final ProgressSample p)
    {
        final StringBuilder line = new StringBuilder(160);
        line.append(String.format(Locale.ROOT,
            "[%6.1fs] conns %d/%d open %d ok %d shed %d failed %d | conn/s %.0f",
            p.elapsedNanos() / 1e9, p.started(), conns, p.open(), p.ok(), p.shed(), p.failed(), p.connRate()));
        if (p.targetConnRate() > 0)
        {
            line.append(String.format(Locale.ROOT, " (target %.0f)", p.targetConnRate()));
        }
        line.append(String.format(Locale.ROOT, " | msg/s %.0f | route p99 %s ms | msg p50 %s p99 %s ms",
            p.replyRate(), ProgressLine.millis(p.intervalRouteP99Nanos()),
            ProgressLine.millis(p.intervalMessageP50Nanos()), ProgressLine.millis(p.intervalMessageP99Nanos())));
        for (final ServerCounter counter : p.serverCounters())
        {
            line.append(" | ").append(counter.label()).append(' ').append(counter.value());
        }
        out.print(line);
    }

    /** End the rewritten line so that what follows starts on its own line. */
    public void finish()
    {
        out.finish();
    }
}
