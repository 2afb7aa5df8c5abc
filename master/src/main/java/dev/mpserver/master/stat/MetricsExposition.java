package dev.mpserver.master.stat;

import java.util.List;
import java.util.Locale;

import dev.mpserver.protocol.build.BuildInfo;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * The counters as metrics: {@code mpserver stat --format openmetrics} (OpenMetrics 1.0 text, what
 * Prometheus scrapes as {@code application/openmetrics-text}) or {@code --format prometheus}
 * (the Prometheus text format 0.0.4, which node_exporter's textfile collector reads). The two
 * differ in how a counter is named: OpenMetrics names the family {@code x} and its sample
 * {@code x_total}; the older format has {@code x_total} in both places, and a textfile collector
 * fed the newer form would keep the samples but lose their type. OpenMetrics also ends with
 * {@code # EOF} and types the build as {@code info}.
 *
 * <pre>
 * # HELP mpserver_accepts Connections accepted by all workers, live and exited.
 * # TYPE mpserver_accepts counter
 * mpserver_accepts_total 1000
 * # HELP mpserver_worker_accepts Connections accepted by one worker.
 * # TYPE mpserver_worker_accepts counter
 * mpserver_worker_accepts_total{slot="0",pid="4242"} 507
 * mpserver_worker_accepts_total{slot="1",pid="4243"} 493
 * </pre>
 *
 * Families: {@code mpserver_build_info}; {@code mpserver_master_up} and {@code mpserver_master_*}
 * (one per master counter); {@code mpserver_*} (every worker counter summed over live and exited
 * workers, so that a total never falls when a worker is replaced; gauges over live workers only);
 * {@code mpserver_worker_up} and {@code mpserver_worker_*} with labels {@code slot} and {@code pid};
 * {@code mpserver_stat_unreadable_files}. Durations the server keeps in milliseconds are exported
 * in seconds, as Prometheus names them.
 */
public final class MetricsExposition
{
    /** The flavour of text exposition. */
    public enum Flavour
    {
        OPENMETRICS,
        PROMETHEUS
    }

    static final String PREFIX = "mpserver_";
    private static final String MILLIS_SUFFIX = "_MS";
    private static final double MILLIS_PER_SECOND = 1000.0;

    private final Flavour flavour;
    private final StringBuilder out = new StringBuilder(8192);

    private MetricsExposition(final Flavour flavour)
    {
        this.flavour = flavour;
    }

    public static String render(final RunDirCounters counters, final Flavour flavour)
    {
        return new MetricsExposition(flavour).write(counters);
    }

    private String write(final RunDirCounters counters)
    {
        info("build", "The mpserver build that wrote these metrics.",
            "version", BuildInfo.current().version(), "commit", BuildInfo.current().commit());
        final RunDirCounters.Process master = counters.master();
        if (null != master)
        {
            family("master_up", "1 while the master runs; 0: its file holds a stopped server's last values.", false, null);
            sample("master_up", false, "", master.alive() ? 1 : 0);
            for (final MasterCounter counter : MasterCounter.values())
            {
                final String name = "master_" + name(counter.name());
                family(name, "Master: " + help(counter.name(), counter.label()), !counter.isGauge(), unit(counter.name()));
                sample(name, !counter.isGauge(), "", value(counter.name(), counters.master(counter)));
            }
        }
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            final String name = name(counter.name());
            family(name, (counter.isGauge() ? "Live workers: " : "Workers, live and exited: ") + help(counter.name(), counter.label()),
                !counter.isGauge(), unit(counter.name()));
            sample(name, !counter.isGauge(), "", value(counter.name(), counters.total(counter)));
        }
        final List<RunDirCounters.Process> workers = counters.workers();
        if (!workers.isEmpty())
        {
            family("worker_up", "1 while the worker runs and updates its counters.", false, null);
            for (final RunDirCounters.Process worker : workers)
            {
                sample("worker_up", false, labels(worker), worker.alive() ? 1 : 0);
            }
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                final String name = "worker_" + name(counter.name());
                family(name, "One worker: " + help(counter.name(), counter.label()), !counter.isGauge(), unit(counter.name()));
                for (final RunDirCounters.Process worker : workers)
                {
                    sample(name, !counter.isGauge(), labels(worker), value(counter.name(), worker.value(counter)));
                }
            }
        }
        family("stat_unreadable_files", "Counters files in the run directory that could not be read (see mpserver stat).", false, null);
        sample("stat_unreadable_files", false, "", counters.problems().size());
        if (flavour == Flavour.OPENMETRICS)
        {
            out.append("# EOF\n");
        }
        return out.toString();
    }

    /** {@code FDS_LOST} → {@code fds_lost}; {@code RESPAWN_BACKOFF_MS} → {@code respawn_backoff_seconds}. */
    static String name(final String enumName)
    {
        final String lower = enumName.toLowerCase(Locale.ROOT);
        return enumName.endsWith(MILLIS_SUFFIX) ? lower.substring(0, lower.length() - MILLIS_SUFFIX.length()) + "_seconds" : lower;
    }

    /** The counter's label as a sentence; one the server keeps in milliseconds says it is exported in seconds. */
    private static String help(final String enumName, final String label)
    {
        return enumName.endsWith(MILLIS_SUFFIX) && label.endsWith(" ms") ? label.substring(0, label.length() - 3) + ", in seconds." : label + ".";
    }

    private static String unit(final String enumName)
    {
        return enumName.endsWith(MILLIS_SUFFIX) ? "seconds" : null;
    }

    private static Number value(final String enumName, final long value)
    {
        return enumName.endsWith(MILLIS_SUFFIX) ? (Number)(value / MILLIS_PER_SECOND) : (Number)value;
    }

    private static String labels(final RunDirCounters.Process worker)
    {
        return "{slot=\"" + worker.slot() + "\",pid=\"" + worker.pid() + "\"}";
    }

    /** {@code # HELP}, {@code # TYPE} (and in OpenMetrics {@code # UNIT}) of a family. */
    private void family(final String name, final String help, final boolean counter, final String unit)
    {
        final String family = PREFIX + name + (counter && flavour == Flavour.PROMETHEUS ? "_total" : "");
        out.append("# HELP ").append(family).append(' ');
        escape(help, false);
        out.append('\n');
        out.append("# TYPE ").append(family).append(' ').append(counter ? "counter" : "gauge").append('\n');
        if (null != unit && flavour == Flavour.OPENMETRICS)
        {
            out.append("# UNIT ").append(family).append(' ').append(unit).append('\n');
        }
    }

    private void sample(final String name, final boolean counter, final String labels, final Number value)
    {
        out.append(PREFIX).append(name).append(counter ? "_total" : "").append(labels).append(' ').append(value).append('\n');
    }

    /** A metric of one sample, 1, whose labels say something (OpenMetrics' info type; a gauge in the older format). */
    private void info(final String name, final String help, final String... labelPairs)
    {
        final String family = PREFIX + name + (flavour == Flavour.PROMETHEUS ? "_info" : "");
        out.append("# HELP ").append(family).append(' ');
        escape(help, false);
        out.append('\n');
        out.append("# TYPE ").append(family).append(' ').append(flavour == Flavour.OPENMETRICS ? "info" : "gauge").append('\n');
        out.append(PREFIX).append(name).append("_info{");
        for (int i = 0; i < labelPairs.length; i += 2)
        {
            out.append(i == 0 ? "" : ",").append(labelPairs[i]).append("=\"");
            escape(labelPairs[i + 1], true);
            out.append('"');
        }
        out.append("} 1\n");
    }

    /**
     * Backslash and newline always; a double quote in label values (and, in OpenMetrics, in help
     * text too, which the older format leaves as it is).
     */
    private void escape(final String text, final boolean labelValue)
    {
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '\\')
            {
                out.append("\\\\");
            }
            else if (c == '\n')
            {
                out.append("\\n");
            }
            else if (c == '"' && (labelValue || flavour == Flavour.OPENMETRICS))
            {
                out.append("\\\"");
            }
            else
            {
                out.append(c);
            }
        }
    }
}
