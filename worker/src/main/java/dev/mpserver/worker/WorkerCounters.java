package dev.mpserver.worker;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.WorkerCounter;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;

/**
 * What one worker has done, written straight into its counters file: each {@link WorkerCounter} is
 * an Agrona {@link AtomicCounter} over the mapped file, the loop thread is its only writer and
 * writes with ordered stores, so {@code mpserver stat} reads live values at any moment and
 * counting costs one store. Without a run directory (tests, the CDS training run) the counters
 * live in memory, same layout.
 */
public final class WorkerCounters implements AutoCloseable
{
    private final AtomicCounter[] counters = new AtomicCounter[WorkerCounter.COUNT];
    private CountersFile file;

    private WorkerCounters(final CountersFile file, final CountersManager inMemory)
    {
        this.file = file;
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            counters[counter.ordinal()] = null != file ? file.counter(counter.ordinal()) :
                inMemory.newCounter(counter.label(), counter.typeId());
        }
    }

    /** Counters in {@code runDir}'s file for this worker, or in memory when {@code runDir} is null. */
    public static WorkerCounters open(final Path runDir, final int pid, final int slot)
    {
        if (null != runDir)
        {
            return new WorkerCounters(CountersFile.forWorker(runDir, pid, slot), null);
        }
        return new WorkerCounters(null, inMemory());
    }

    public void increment(final WorkerCounter counter)
    {
        counters[counter.ordinal()].incrementOrdered();
    }

    public void set(final WorkerCounter counter, final long value)
    {
        counters[counter.ordinal()].setOrdered(value);
    }

    public long get(final WorkerCounter counter)
    {
        return counters[counter.ordinal()].get();
    }

    /** Says this worker is alive (its file's heartbeat); the loop calls it on its housekeeping cadence. */
    public void heartbeat()
    {
        if (null != file)
        {
            file.heartbeat();
        }
    }

    /**
     * Unmaps the file, which stays for the master to fold into its totals after reaping us. The
     * counters keep their last values in memory, so a late read (a log line) never touches the
     * unmapped file.
     */
    @Override
    public void close()
    {
        if (null != file)
        {
            final CountersManager memory = inMemory();
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                final AtomicCounter last = memory.newCounter(counter.label(), counter.typeId());
                last.set(counters[counter.ordinal()].get());
                counters[counter.ordinal()] = last;
            }
            file.close();
            file = null;
        }
    }

    private static CountersManager inMemory()
    {
        return new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFile.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFile.VALUES_LENGTH)));
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            final long value = get(counter);
            if (value != 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append(counter.label()).append('=').append(value);
            }
        }
        return text.toString();
    }
}
