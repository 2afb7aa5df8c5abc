package dev.mpserver.master.stat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/** {@code mpserver stat} for people: master counters, worker totals and each worker side by side, then the diagnosis. */
public final class StatTable
{
    private StatTable()
    {
    }

    /** Wide enough for the longest counter label (the hop latencies'), so that every row's numbers line up. */
    public static final String LABEL = "  %-" + Math.max(
        Arrays.stream(MasterCounter.values()).mapToInt(c -> c.label().length()).max().orElse(0),
        Arrays.stream(WorkerCounter.values()).mapToInt(c -> c.label().length()).max().orElse(0)) + "s";

    public static String render(final RunDirCounters counters, final List<String> diagnosis)
    {
        final StringBuilder text = new StringBuilder();
        text.append("mpserver stat  ").append(counters.dir()).append("  ").append(Instant.ofEpochMilli(counters.takenAtMillis())).append('\n');
        final RunDirCounters.Process master = counters.master();
        if (null != master)
        {
            text.append(String.format(Locale.ROOT, "master pid %d %s%n%n", master.pid(), master.alive() ? "running" : "NOT RUNNING"));
            for (final MasterCounter counter : MasterCounter.values())
            {
                text.append(String.format(Locale.ROOT, LABEL + " %14d%n", counter.label(), counters.master(counter)));
            }
            text.append('\n');
        }
        final List<RunDirCounters.Process> workers = counters.workers();
        text.append(String.format(Locale.ROOT, LABEL + " %14s %10s", "workers", "total", "exited"));
        for (final RunDirCounters.Process worker : workers)
        {
            text.append(String.format(Locale.ROOT, " %12s", "w" + worker.slot() + ":" + worker.pid() + (worker.alive() ? "" : "†")));
        }
        text.append('\n');
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            text.append(String.format(Locale.ROOT, LABEL + " %14d %10s", counter.label(), counters.total(counter),
                counter.isGauge() ? "-" : Long.toString(counters.exited(counter))));
            for (final RunDirCounters.Process worker : workers)
            {
                text.append(String.format(Locale.ROOT, " %12d", worker.value(counter)));
            }
            text.append('\n');
        }
        text.append('\n');
        text.append(HotKeysReport.table(HotKeysReport.read(counters.dir(), workers)));
        for (final String note : diagnosis)
        {
            text.append("  ").append(note).append('\n');
        }
        return text.toString();
    }
}
