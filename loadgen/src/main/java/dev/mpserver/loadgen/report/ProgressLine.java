package dev.mpserver.loadgen.report;

import java.io.PrintWriter;

/**
 * Where a live progress line goes, once a second: rewritten in place on a terminal, one plain line
 * per second otherwise (logs, CI). What the line says is its printer's.
 */
public final class ProgressLine
{
    private final PrintWriter out;
    private final boolean rewrite;
    private int lastLength;

    public ProgressLine(final PrintWriter out, final boolean rewrite)
    {
        this.out = out;
        this.rewrite = rewrite;
    }

    /** Prints {@code line}, padded over a longer one it rewrites. */
    public void print(final StringBuilder line)
    {
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

    /** End the rewritten line so that what follows starts on its own line. */
    public void finish()
    {
        if (rewrite && lastLength > 0)
        {
            out.println();
            out.flush();
        }
    }

    /** An interval's latency in ms; no latency is ever 0 ns, so 0 means nothing was measured: "-". */
    public static String millis(final long nanos)
    {
        return nanos == 0 ? "-" : LatencyTable.millis(nanos);
    }
}
