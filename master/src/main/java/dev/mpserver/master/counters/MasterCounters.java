package dev.mpserver.master.counters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.CountersFileReader;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;
import org.agrona.concurrent.status.AtomicCounter;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's counters, written in place in its mapped counters file: {@code mpserver stat} sees
 * each change as it happens, not a copy made every so often. The master's loop thread is the only
 * writer, so ordered stores ({@code incrementOrdered}, {@code getAndAddOrdered}, {@code setOrdered})
 * are enough: a plain load and a store with release semantics, no locked instruction, which on x86
 * costs what the plain {@code long[]} increments it replaces cost.
 *
 * <p>Besides its own counters the file holds the summed final values of every worker that has
 * exited ({@link #retireWorker}), so that totals survive deaths and reloads. Counter {@code i} of
 * the file is {@code MasterCounter} ordinal {@code i}; then come the exited workers' totals, by
 * {@code WorkerCounter} ordinal ({@link CountersFile#forMaster} lays them out in that order).
 */
public final class MasterCounters
{
    private static final Logger LOG = LogManager.getLogger(MasterCounters.class);

    private final CountersFile file;
    private final AtomicCounter[] counters = new AtomicCounter[MasterCounter.COUNT];
    private final AtomicCounter[] retired = new AtomicCounter[WorkerCounter.COUNT];

    public MasterCounters(final CountersFile file)
    {
        this.file = file;
        for (int i = 0; i < counters.length; i++)
        {
            counters[i] = file.counter(i);
        }
        for (int i = 0; i < retired.length; i++)
        {
            retired[i] = file.counter(MasterCounter.COUNT + i);
        }
    }

    /** The master's file in {@code runDir}, after removing what an earlier run of that directory left. */
    public static MasterCounters create(final Path runDir, final int masterPid)
    {
        removeStaleWorkerFiles(runDir);
        return new MasterCounters(CountersFile.forMaster(runDir, masterPid));
    }

    public void increment(final MasterCounter counter)
    {
        counters[counter.ordinal()].incrementOrdered();
    }

    public void add(final MasterCounter counter, final long delta)
    {
        if (0 != delta)
        {
            counters[counter.ordinal()].getAndAddOrdered(delta);
        }
    }

    public void set(final MasterCounter counter, final long value)
    {
        counters[counter.ordinal()].setOrdered(value);
    }

    public long get(final MasterCounter counter)
    {
        return counters[counter.ordinal()].get();
    }

    /** Tells readers that the master is alive. */
    public void heartbeat()
    {
        file.heartbeat();
    }

    /** Unmaps the file, which stays: {@code mpserver stat} shows the last values of a stopped server. */
    public void close()
    {
        file.close();
    }

    /** Adds an exited worker's last counter values to the totals and removes its file. */
    public void retireWorker(final Path runDir, final int workerPid)
    {
        final Path workerFile = CountersFile.workerFile(runDir, workerPid);
        final CountersFileReader reader = CountersFileReader.open(workerFile);
        if (null != reader)
        {
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                if (!counter.isGauge())
                {
                    retired[counter.ordinal()].getAndAddOrdered(reader.value(counter.typeId()));
                }
            }
            reader.close();
        }
        try
        {
            Files.deleteIfExists(workerFile);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot remove {}: {}", workerFile, ex.toString());
        }
    }

    /** Worker files of an earlier run of this run dir would show up in stat as dead workers. */
    private static void removeStaleWorkerFiles(final Path runDir)
    {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(runDir, "worker-*" + CountersFile.SUFFIX))
        {
            for (final Path file : stale)
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot clean {}: {}", runDir, ex.toString());
        }
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder();
        for (final MasterCounter counter : MasterCounter.values())
        {
            text.append(text.length() == 0 ? "" : " ").append(counter.name().toLowerCase()).append('=').append(get(counter));
        }
        return text.toString();
    }
}
