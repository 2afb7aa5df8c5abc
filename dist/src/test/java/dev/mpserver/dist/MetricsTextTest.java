package dev.mpserver.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** The parser the installation test trusts must itself refuse what the formats do not allow. */
class MetricsTextTest
{
    private static final String GOOD_OPENMETRICS = String.join("\n",
        "# HELP a_things Things.",
        "# TYPE a_things counter",
        "a_things_total{slot=\"0\",pid=\"1\"} 3",
        "a_things_total{slot=\"1\",pid=\"2\"} 4",
        "# TYPE a_level_seconds gauge",
        "# UNIT a_level_seconds seconds",
        "a_level_seconds 0.25",
        "# TYPE a_build info",
        "a_build_info{version=\"1 \\\"x\\\" \\\\ \\n\"} 1",
        "# EOF", "");

    @Test
    void readsAValidExposition()
    {
        final Map<String, MetricsText.Family> families = MetricsText.parse(GOOD_OPENMETRICS, MetricsText.Flavour.OPENMETRICS);
        assertEquals(3, families.size());
        assertEquals(2, families.get("a_things").samples().size());
        assertEquals(0.25, families.get("a_level_seconds").value("a_level_seconds"));
        assertEquals("1 \"x\" \\ \n", families.get("a_build").samples().get(0).labels().get("version"));
        MetricsText.parse("# TYPE a_things_total counter\na_things_total 3\n", MetricsText.Flavour.PROMETHEUS);
    }

    @Test
    void refusesWhatOpenMetricsDoesNotAllow()
    {
        for (final String bad : new String[] {
            GOOD_OPENMETRICS.replace("# EOF\n", ""),
            GOOD_OPENMETRICS + "a_x 1\n",
            GOOD_OPENMETRICS.replace("a_things_total{slot=\"1\"", "a_things{slot=\"1\""),
            GOOD_OPENMETRICS.replace("# TYPE a_things counter", "# TYPE a_things_total counter"),
            GOOD_OPENMETRICS.replace("pid=\"2\"", "pid=\"1\"").replace("slot=\"1\"", "slot=\"0\""),
            GOOD_OPENMETRICS.replace("slot=\"0\",pid", "slot=\"0\",slot"),
            GOOD_OPENMETRICS.replace("} 3", "} three"),
            GOOD_OPENMETRICS.replace("} 3", "} -3"),
            GOOD_OPENMETRICS.replace("# UNIT a_level_seconds seconds", "# UNIT a_level_seconds bytes"),
            GOOD_OPENMETRICS.replace("# HELP a_things Things.", "# comment"),
            GOOD_OPENMETRICS.replace("\\\\ \\n", "\\t"),
            GOOD_OPENMETRICS.replace("a_level_seconds 0.25\n", "a_level_seconds 0.25\n\n"),
            GOOD_OPENMETRICS.replace("\n", "\r\n"),
            GOOD_OPENMETRICS + "# TYPE a_things gauge\n",
            "a_orphan 1\n# EOF\n",
        })
        {
            assertThrows(AssertionError.class, () -> MetricsText.parse(bad, MetricsText.Flavour.OPENMETRICS), bad);
        }
        assertThrows(AssertionError.class, () -> MetricsText.parse("# TYPE a counter\na_total 3\n", MetricsText.Flavour.PROMETHEUS),
            "the older format names the sample as its TYPE line does");
        assertThrows(AssertionError.class, () -> MetricsText.parse("# TYPE a gauge\na 1\n# EOF\n", MetricsText.Flavour.PROMETHEUS));
    }
}
