package dev.mpserver.master.stat;

import dev.mpserver.protocol.counters.RunDirCounters;

/** {@code mpserver stat --format}: how one snapshot is printed. */
public enum StatFormat
{
    /** For people: counters side by side and a diagnosis in words. */
    table
    {
        @Override
        public String render(final RunDirCounters counters)
        {
            return StatTable.render(counters, StatDiagnosis.of(counters));
        }
    },
    /** One JSON object per line. */
    json
    {
        @Override
        public String render(final RunDirCounters counters)
        {
            return StatJson.render(counters, StatDiagnosis.of(counters)) + "\n";
        }
    },
    /** OpenMetrics 1.0 text. */
    openmetrics
    {
        @Override
        public String render(final RunDirCounters counters)
        {
            return MetricsExposition.render(counters, MetricsExposition.Flavour.OPENMETRICS);
        }
    },
    /** Prometheus text format 0.0.4, for node_exporter's textfile collector. */
    prometheus
    {
        @Override
        public String render(final RunDirCounters counters)
        {
            return MetricsExposition.render(counters, MetricsExposition.Flavour.PROMETHEUS);
        }
    };

    public abstract String render(RunDirCounters counters);

    /** Formats a screen may be cleared for between refreshes. */
    public boolean isForPeople()
    {
        return this == table;
    }
}
