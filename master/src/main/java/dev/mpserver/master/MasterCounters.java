package dev.mpserver.master;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * What the master has done, as plain longs written by the master loop only, plus the summed
 * counters of workers that have exited (so totals survive deaths and reloads). Copied into the
 * master's counters file by the loop.
 */
public final class MasterCounters
{
    private final long[] values = new long[MasterCounter.COUNT];
    private final long[] retired = new long[WorkerCounter.COUNT];

    public void increment(final MasterCounter counter)
    {
        values[counter.ordinal()]++;
    }

    public void add(final MasterCounter counter, final long delta)
    {
        values[counter.ordinal()] += delta;
    }

    public void set(final MasterCounter counter, final long value)
    {
        values[counter.ordinal()] = value;
    }

    public long get(final MasterCounter counter)
    {
        return values[counter.ordinal()];
    }

    /** Adds an exited worker's final count. */
    public void retire(final WorkerCounter counter, final long value)
    {
        retired[counter.ordinal()] += value;
    }

    public long[] values()
    {
        return values;
    }

    public long[] retired()
    {
        return retired;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final MasterCounter counter : MasterCounter.values())
        {
            text.append(text.length() == 0 ? "" : " ").append(counter.name().toLowerCase()).append('=')
                .append(values[counter.ordinal()]);
        }
        return text.toString();
    }
}
