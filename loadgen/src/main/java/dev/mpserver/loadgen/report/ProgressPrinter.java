package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.engine.ProgressListener;
import dev.mpserver.loadgen.server.ServerCounter;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The live progress line, once a second, on stderr: rewritten in place on a terminal, one plain line
 * per second otherwise (logs, CI).
 */
public final class ProgressPrinter implements ProgressListener
{
    private final PrintWriter out;
    private final boolean rewrite;
    private final long conns;
    private int lastLength;

    public ProgressPrinter(final PrintWriter out, final boolean rewrite, final long conns)
    {
        this.out = out;
        this.rewrite = rewrite;
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
            p.replyRate(), millis(p.intervalRouteP99Nanos()),
            millis(p.intervalMessageP50Nanos()), millis(p.intervalMessageP99Nanos())));
        for (final ServerCounter counter : p.serverCounters())
        {
            line.append(" | ").append(counter.label()).append(' ').append(counter.value());
        }
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

    /** No latency is ever 0 ns: 0 means nothing was measured in the interval. */
    private static String millis(final long nanos)
    {
        return nanos == 0 ? "-" : SummaryTable.millis(nanos);
    }

    /** End the rewritten line so that what follows starts on its own line. */
    public void finish()
    {
        if (rewrite && lastLength > 0)
        {
            out.println();
            out.flush();
        }
    }
}
