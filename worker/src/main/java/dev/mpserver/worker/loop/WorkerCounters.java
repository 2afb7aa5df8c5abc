package dev.mpserver.worker.loop;

import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * What one worker loop has done, as plain longs written by the loop thread only; the loop copies
 * them into its counters file (see {@link dev.mpserver.protocol.counters.CountersFile}) on its
 * housekeeping cadence, so counting costs an array increment.
 */
public final class WorkerCounters
{
    private final long[] values = new long[WorkerCounter.COUNT];

    public void increment(final WorkerCounter counter)
    {
        values[counter.ordinal()]++;
    }

    public void set(final WorkerCounter counter, final long value)
    {
        values[counter.ordinal()] = value;
    }

    public long get(final WorkerCounter counter)
    {
        return values[counter.ordinal()];
    }

    /** The live array, indexed by {@link WorkerCounter#ordinal()}. */
    public long[] values()
    {
        return values;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            if (values[counter.ordinal()] != 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append(counter.label()).append('=').append(values[counter.ordinal()]);
            }
        }
        return text.toString();
    }
}
