package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.engine.Latency;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A {@code run} or {@code storm} as the self-contained HTML page ({@code --html FILE}). */
public final class RunHtml
{
    private RunHtml()
    {
    }

    public static void write(final Report r, final Path file) throws IOException
    {
        page(r).write(file);
    }

    public static HtmlReport page(final Report r)
    {
        final HtmlReport page = new HtmlReport(String.format(Locale.ROOT, "loadgen %s: %d connection(s), %s:%d",
            r.config().command(), r.conns(), r.config().address().getHostAddress(), r.config().port()), SummaryTable.render(r));
        for (final Latency l : Latency.values())
        {
            page.latency(l.label(), r.latency(l).histogram());
        }
        final List<ProgressSample> t = r.timeline();
        final int n = t.size();
        final double[] seconds = new double[n];
        final double[] connRate = new double[n];
        final double[] targetRate = new double[n];
        final double[] replyRate = new double[n];
        final double[] open = new double[n];
        final double[] failed = new double[n];
        final double[] shed = new double[n];
        final double[] routeP99 = new double[n];
        final double[] msgP50 = new double[n];
        final double[] msgP99 = new double[n];
        for (int i = 0; i < n; i++)
        {
            final ProgressSample s = t.get(i);
            final ProgressSample before = i == 0 ? null : t.get(i - 1);
            seconds[i] = s.elapsedNanos() / 1e9;
            connRate[i] = s.connRate();
            targetRate[i] = s.targetConnRate();
            replyRate[i] = s.replyRate();
            open[i] = s.open();
            failed[i] = s.failed() - (before == null ? 0 : before.failed());
            shed[i] = s.shed() - (before == null ? 0 : before.shed());
            routeP99[i] = s.intervalRouteP99Nanos() == 0 ? Double.NaN : s.intervalRouteP99Nanos() / 1e6;
            msgP50[i] = s.intervalMessageP50Nanos() == 0 ? Double.NaN : s.intervalMessageP50Nanos() / 1e6;
            msgP99[i] = s.intervalMessageP99Nanos() == 0 ? Double.NaN : s.intervalMessageP99Nanos() / 1e6;
        }
        page.chart("rates", "rates", "per second", seconds, List.of(new HtmlReport.Series("connections/s", connRate),
            new HtmlReport.Series("target connections/s", targetRate), new HtmlReport.Series("replies/s", replyRate)));
        page.chart("open", "connections open", "count", seconds, List.of(new HtmlReport.Series("open", open)));
        page.chart("failures", "failed and shed per second", "count", seconds, List.of(
            new HtmlReport.Series("failed", failed), new HtmlReport.Series("shed", shed)));
        page.chart("latency-over-time", "latency over time", "ms", seconds, List.of(
            new HtmlReport.Series("route p99", routeP99), new HtmlReport.Series("message p50", msgP50),
            new HtmlReport.Series("message p99", msgP99)));
        final List<List<String>> routes = new ArrayList<>();
        if (r.verify() != null)
        {
            for (final VerifyResult.Worker w : r.verify().workers())
            {
                routes.add(List.of(Integer.toString(w.pid()), Long.toString(w.clients()), Long.toString(w.shards())));
            }
        }
        page.table("routing", r.verify() == null ? "Routing by worker (run with --verify to see it)"
            : "Routing by worker ('I' replies)", List.of("worker pid", "clients", "shards"), routes);
        return page;
    }
}
