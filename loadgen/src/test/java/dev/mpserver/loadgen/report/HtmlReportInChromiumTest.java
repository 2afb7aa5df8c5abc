package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.LoadGen;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.Latency;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.rtmp.RtmpConfig;
import dev.mpserver.loadgen.rtmp.RtmpHtml;
import dev.mpserver.loadgen.rtmp.RtmpLatency;
import dev.mpserver.loadgen.rtmp.RtmpReport;
import dev.mpserver.loadgen.rtmp.RtmpRun;
import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.loadgen.testserver.RtmpTestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The --html page opened in headless Chromium (Debian's chromium), offline: its script must have
 * drawn every chart, and the values it rendered (read back from the DOM Chromium dumps) must be the
 * run's own numbers. Skipped with a message where Chromium is missing or cannot start.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HtmlReportInChromiumTest
{
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long CHROMIUM_TIMEOUT_SECONDS = 60;
    private static final Pattern LATENCY_ROW = Pattern.compile("<tr data-name=\"([^\"]*)\">((?:<td>[^<]*</td>)+)</tr>");
    private static final Pattern CELL = Pattern.compile("<td>([^<]*)</td>");

    @TempDir
    Path dir;

    @BeforeAll
    static void chromiumInstalled()
    {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
            "skipping the HTML report tests: no " + CHROMIUM + " (Debian: apt-get install chromium)");
    }

    @Test
    void rtmpPageShowsTheRunsLatenciesRatesAndRouting() throws Exception
    {
        try (RtmpTestServer server = new RtmpTestServer(name -> RtmpTestServer.Behaviour.NONE, true))
        {
            final RtmpReport r = new RtmpRun(RtmpConfig.builder(server.port()).streams(2).players(3)
                .duration(3, TimeUnit.SECONDS).build()).call();
            final Path page = dir.resolve("rtmp.html");
            RtmpHtml.write(r, page);
            final String dom = dumpDom(page);

            assertRendered(dom);
            for (final RtmpLatency l : RtmpLatency.values())
            {
                if (r.latency(l).count() > 0)
                {
                    assertRow(dom, r.latency(l));
                }
            }
            assertTrue(dom.contains("id=\"chart-rates\""), "rates chart");
            assertEquals(Integer.toString(r.timeline().size()), attribute(dom, "chart-rates", "data-samples"));
            assertEquals(Integer.toString(r.timeline().size()), attribute(dom, "chart-failures", "data-samples"));
            assertEquals(Integer.toString(r.workers().size()), attribute(dom, "table-routing", "data-rows"));
            assertTrue(dom.contains("<td>" + RtmpTestServer.PUBLISHER_PID + "</td>"), "the routing table names the worker pid");
            assertEquals(Integer.toString(r.streams().size()), attribute(dom, "table-streams", "data-rows"));
        }
    }

    @Test
    void runPageShowsTheRunsLatenciesAndRoutingTable() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Report r = new LoadGenRun(LoadConfig.builder(server.port()).conns(200).msgs(5).shardIds(ShardIds.range(0, 9))
                .verify(true).duration(30, TimeUnit.SECONDS).build()).call();
            final Path page = dir.resolve("run.html");
            RunHtml.write(r, page);
            final String dom = dumpDom(page);

            assertRendered(dom);
            assertRow(dom, r.latency(Latency.ROUTE));
            assertRow(dom, r.latency(Latency.MESSAGE));
            assertEquals(Integer.toString(r.verify().workers().size()), attribute(dom, "table-routing", "data-rows"));
            assertTrue(dom.contains("<td>" + ProtocolTestServer.DEFAULT_PID + "</td>"));
        }
    }

    @Test
    void stormWritesThePageFromTheCommandLine() throws Exception
    {
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final Path page = dir.resolve("storm.html");
            final StringWriter out = new StringWriter();
            final int exit = LoadGen.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "storm",
                "--port", Integer.toString(server.port()), "--conns", "300", "--connect-rate", "300", "--ramp", "0",
                "--progress", "off", "--html", page.toString());
            assertEquals(0, exit, out.toString());
            final String dom = dumpDom(page);
            assertRendered(dom);
            assertTrue(Integer.parseInt(attribute(dom, "chart-rates", "data-samples")) >= 1);
            assertTrue(dom.contains("data-name=\"connections/s\""), "the connection rate series is drawn");
        }
    }

    private static void assertRendered(final String dom)
    {
        assertTrue(dom.contains("<body data-rendered=\"ok\""), "the page's script finished: " + errorOf(dom));
        assertTrue(dom.contains("id=\"chart-latency\""), "the latency chart exists");
        assertFalse(dom.contains("https://") || dom.contains("http://cdn"), "nothing is loaded from the network");
    }

    /** The latency row the script rendered must carry the histogram's own count and percentiles. */
    private static void assertRow(final String dom, final LatencySummary l)
    {
        final Matcher m = LATENCY_ROW.matcher(dom);
        while (m.find())
        {
            if (m.group(1).equals(l.name()))
            {
                final List<String> cells = new ArrayList<>();
                final Matcher c = CELL.matcher(m.group(2));
                while (c.find())
                {
                    cells.add(c.group(1));
                }
                assertEquals(Long.toString(l.count()), cells.get(1), l.name() + " count");
                for (int i = 0; i < LatencySummary.PERCENTILES.length; i++)
                {
                    assertEquals(String.format(Locale.ROOT, "%.3f", l.percentileNanos(LatencySummary.PERCENTILES[i]) / 1e6),
                        cells.get(2 + i), l.name() + " " + LatencySummary.PERCENTILE_NAMES[i]);
                }
                assertEquals(String.format(Locale.ROOT, "%.3f", l.maxNanos() / 1e6), cells.get(2 + LatencySummary.PERCENTILES.length),
                    l.name() + " max");
                final String curve = "data-name=\"" + l.name() + "\" data-points=\"";
                assertTrue(dom.contains(curve), "the curve of " + l.name() + " is drawn");
                return;
            }
        }
        throw new AssertionError("no rendered row for " + l.name() + " in the DOM");
    }

    private static String attribute(final String dom, final String id, final String name)
    {
        final Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*?" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(dom);
        assertTrue(m.find(), "no " + name + " on #" + id);
        return m.group(1);
    }

    private static String errorOf(final String dom)
    {
        final Matcher m = Pattern.compile("<p id=\"render-error\">([^<]*)</p>").matcher(dom);
        return m.find() ? m.group(1) : "(no error text)";
    }

    /** Open the page in headless Chromium (new profile, nothing from the network) and return the DOM after its script ran. */
    private String dumpDom(final Path page) throws IOException, InterruptedException
    {
        final Path profile = Files.createTempDirectory(dir, "chromium-profile-");
        final Path out = dir.resolve(page.getFileName() + ".dom");
        final Path err = dir.resolve(page.getFileName() + ".err");
        final Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + profile, "--dump-dom", page.toUri().toString())
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!chromium.waitFor(CHROMIUM_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            chromium.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Assumptions.abort("chromium did not finish within " + CHROMIUM_TIMEOUT_SECONDS + " s; cannot check the page here");
        }
        final String dom = Files.readString(out, StandardCharsets.UTF_8);
        if (chromium.exitValue() != 0 || dom.isEmpty())
        {
            Assumptions.abort("chromium cannot run here (exit " + chromium.exitValue() + "): "
                + Files.readString(err, StandardCharsets.UTF_8).lines().reduce("", (a, b) -> b));
        }
        return dom;
    }
}
