package dev.mpserver.loadgen.report;

import com.fasterxml.jackson.core.JsonGenerator;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One self-contained HTML page for a run ({@code --html FILE} of run, storm and rtmp): the page's
 * CSS and JavaScript are inline (resource {@code report-template.html}), the run's figures are a JSON
 * block in it, and the script draws them as SVG when the page opens, with no network. What it draws:
 * latency percentile curves (HdrHistogram's percentile distribution, x on a log scale of
 * 1/(1 − percentile) as HdrHistogram's own plots), charts over time from the per-second samples, and
 * tables (the routing table, per-stream lines). The script writes the values it rendered into the
 * DOM ({@code data-*} attributes and a "rendered" table), so a test can read them back from a
 * headless browser's DOM.
 */
public final class HtmlReport
{
    private static final String TEMPLATE = "report-template.html";
    private static final String TITLE_MARK = "@@TITLE@@";
    private static final String DATA_MARK = "@@DATA@@";
    /** HdrHistogram percentile iteration: ticks per half distance to 100 % (about 100 points for a run). */
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final double[] MARKED_PERCENTILES = {50, 90, 99, 99.9};

    /** A series over time: one value per progress sample. */
    public record Series(String name, double[] values)
    {
    }

    private record Chart(String id, String title, String unit, double[] seconds, List<Series> series)
    {
    }

    private record Table(String id, String title, List<String> headers, List<List<String>> rows)
    {
    }

    private record Curve(String name, long count, double[][] points, double[] marks, double max)
    {
    }

    private final String title;
    private final String summary;
    private final List<Curve> curves = new ArrayList<>();
    private final List<Chart> charts = new ArrayList<>();
    private final List<Table> tables = new ArrayList<>();

    /** @param summary the text summary table, shown as it is printed. */
    public HtmlReport(final String title, final String summary)
    {
        this.title = title;
        this.summary = summary;
    }

    /** A latency curve: the histogram's percentile distribution, in milliseconds. Empty histograms are left out. */
    public HtmlReport latency(final String name, final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return this;
        }
        final List<double[]> points = new ArrayList<>();
        for (final HistogramIterationValue v : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            points.add(new double[] {v.getPercentileLevelIteratedTo(), v.getValueIteratedTo() / 1e6});
        }
        final double[] marks = new double[MARKED_PERCENTILES.length];
        for (int i = 0; i < marks.length; i++)
        {
            marks[i] = millisRounded(histogram.getValueAtPercentile(MARKED_PERCENTILES[i]));
        }
        curves.add(new Curve(name, histogram.getTotalCount(), points.toArray(new double[0][]), marks,
            millisRounded(histogram.getMaxValue())));
        return this;
    }

    /** A chart over time: x = seconds since the start of the run. */
    public HtmlReport chart(final String id, final String title, final String unit, final double[] seconds, final List<Series> series)
    {
        charts.add(new Chart(id, title, unit, seconds, List.copyOf(series)));
        return this;
    }

    public HtmlReport table(final String id, final String title, final List<String> headers, final List<List<String>> rows)
    {
        tables.add(new Table(id, title, List.copyOf(headers), List.copyOf(rows)));
        return this;
    }

    public void write(final Path file) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    public String render() throws IOException
    {
        final String template;
        try (InputStream in = HtmlReport.class.getResourceAsStream(TEMPLATE))
        {
            if (in == null)
            {
                throw new IOException("resource " + TEMPLATE + " is missing from the class path");
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // "</" could end the script element early; "<\/" is the same JSON string.
        final String data = data().replace("</", "<\\/");
        return template.replace(TITLE_MARK, escape(title)).replace(DATA_MARK, data);
    }

    private String data() throws IOException
    {
        final StringWriter out = new StringWriter(32 * 1024);
        try (JsonGenerator g = LatencyJson.generator(out))
        {
            g.writeStartObject();
            g.writeStringField("title", title);
            g.writeStringField("summary", summary);
            g.writeArrayFieldStart("markedPercentiles");
            for (final double p : MARKED_PERCENTILES)
            {
                g.writeNumber(p);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("latency");
            for (final Curve c : curves)
            {
                g.writeStartObject();
                g.writeStringField("name", c.name());
                g.writeNumberField("count", c.count());
                g.writeNumberField("maxMs", c.max());
                g.writeArrayFieldStart("marksMs");
                for (final double m : c.marks())
                {
                    g.writeNumber(m);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("points");
                for (final double[] p : c.points())
                {
                    g.writeStartArray();
                    g.writeNumber(p[0]);
                    g.writeNumber(p[1]);
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("charts");
            for (final Chart c : charts)
            {
                g.writeStartObject();
                g.writeStringField("id", c.id());
                g.writeStringField("title", c.title());
                g.writeStringField("unit", c.unit());
                numbers(g, "seconds", c.seconds());
                g.writeArrayFieldStart("series");
                for (final Series s : c.series())
                {
                    g.writeStartObject();
                    g.writeStringField("name", s.name());
                    numbers(g, "values", s.values());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("tables");
            for (final Table t : tables)
            {
                g.writeStartObject();
                g.writeStringField("id", t.id());
                g.writeStringField("title", t.title());
                g.writeArrayFieldStart("headers");
                for (final String h : t.headers())
                {
                    g.writeString(h);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("rows");
                for (final List<String> row : t.rows())
                {
                    g.writeStartArray();
                    for (final String cell : row)
                    {
                        g.writeString(cell);
                    }
                    g.writeEndArray();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return out.toString();
    }

    private static void numbers(final JsonGenerator g, final String name, final double[] values) throws IOException
    {
        g.writeArrayFieldStart(name);
        for (final double v : values)
        {
            if (Double.isNaN(v) || Double.isInfinite(v))
            {
                g.writeNull();
            }
            else
            {
                g.writeNumber(Math.round(v * 1000) / 1000.0);
            }
        }
        g.writeEndArray();
    }

    /**
     * Milliseconds rounded to whole microseconds, so the page's toFixed(3) shows what the text table's
     * %.3f shows (both then round a number with at most three decimals).
     */
    private static double millisRounded(final long nanos)
    {
        return Math.round(nanos / 1e3) / 1e3;
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
