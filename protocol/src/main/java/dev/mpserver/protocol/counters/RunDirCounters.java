package dev.mpserver.protocol.counters;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Every counters file of one server's run directory, read once: the master's counters, the
 * summed counters of workers that exited, and each worker's file. The files are untrusted input
 * ({@link CountersFileReader}): one that cannot be read is skipped and named in {@link #problems}. Totals of worker counters are
 * live workers plus exited ones (for gauges: live workers only). Read-only and lock-free; used by
 * {@code mpserver stat} and by loadgen to show the server's side of a run.
 */
public final class RunDirCounters
{
    private static final long HEARTBEAT_STALE_MS = 3000;
    private static final int CONSISTENT_READ_ATTEMPTS = 4;
    /** A master has at most twice --max-workers slots; a directory with far more files is not a server's. */
    private static final int MAX_WORKER_FILES = 4096;

    private final Path dir;
    private final long takenAtMillis = System.currentTimeMillis();
    private Process master;
    private final List<Process> workers = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    private RunDirCounters(final Path dir)
    {
        this.dir = dir;
    }

    /** How a reader tells whether the process that wrote a counters file is still running. */
    public enum Liveness
    {
        /** The server runs on this machine: its pid exists here and, for a worker, its heartbeat is fresh. */
        LOCAL,
        /**
         * The directory was copied from another machine, whose pids mean nothing here: a process is
         * running if its heartbeat is within a few seconds of the newest heartbeat in the directory,
         * both written by that machine's clock, so clock skew between machines does not matter. (A
         * copy cannot tell a server that stopped from one that was running when it was copied.)
         */
        COPIED
    }

    /**
     * @return the counters now; empty (no master, no workers) when the directory has none. Files
     *         that cannot be read as counters files are skipped and listed in {@link #problems}.
     */
    public static RunDirCounters read(final Path dir) throws IOException
    {
        return read(dir, Liveness.LOCAL);
    }

    /** @return the counters of {@code dir}, whose processes are judged alive as {@code liveness} says. */
    public static RunDirCounters read(final Path dir, final Liveness liveness) throws IOException
    {
        RunDirCounters snapshot = readOnce(dir, liveness);
        // A worker that exits between the reads of the master's file and its own is counted twice or
        // not at all; the master counts the exit (DEATHS) when it folds the worker's counters into
        // its totals, so a changed DEATHS says the snapshot straddled one: read again.
        for (int attempt = 1; attempt < CONSISTENT_READ_ATTEMPTS && null != snapshot.master; attempt++)
        {
            final long deaths = snapshot.master(MasterCounter.DEATHS);
            final Path masterFile = dir.resolve(CountersFile.MASTER_FILE);
            final CountersFileReader reader = CountersFileReader.open(masterFile);
            final long deathsAfter = null == reader ? deaths : reader.value(MasterCounter.DEATHS.typeId());
            if (null != reader)
            {
                reader.close();
            }
            if (deathsAfter == deaths)
            {
                break;
            }
            snapshot = readOnce(dir, liveness);
        }
        return snapshot;
    }

    private static RunDirCounters readOnce(final Path dir, final Liveness liveness) throws IOException
    {
        final RunDirCounters snapshot = new RunDirCounters(dir);
        if (!Files.isDirectory(dir))
        {
            return snapshot;
        }
        // The master's file first: whatever a worker that exits meanwhile contributes is then found
        // either in its own file or, once the master has published, in the master's exited totals.
        snapshot.readFile(dir.resolve(CountersFile.MASTER_FILE), true);
        int files = 0;
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, "*" + CountersFile.SUFFIX))
        {
            for (final Path file : found)
            {
                if (CountersFile.MASTER_FILE.equals(file.getFileName().toString()))
                {
                    continue;
                }
                if (++files > MAX_WORKER_FILES)
                {
                    snapshot.problems.add("more than " + MAX_WORKER_FILES + " worker counters files: the rest were not read");
                    break;
                }
                snapshot.readFile(file, false);
            }
        }
        if (liveness == Liveness.COPIED)
        {
            snapshot.judgeByHeartbeats();
        }
        snapshot.workers.sort(Comparator.comparingInt((Process p) -> p.slot).thenComparingInt(p -> p.pid));
        return snapshot;
    }

    private void readFile(final Path file, final boolean masterFile)
    {
        final CountersFileReader reader;
        try
        {
            reader = CountersFileReader.openChecked(file);
            if (null == reader)
            {
                return; // not there, or still being written
            }
        }
        catch (final CorruptCountersFileException ex)
        {
            problems.add(file.getFileName() + " " + ex.getMessage() + ": not read");
            return;
        }
        try
        {
            final String name = file.getFileName().toString();
            if (masterFile ? reader.kind() != CountersFile.KIND_MASTER
                : reader.kind() != CountersFile.KIND_WORKER || !CountersFile.workerFile(dir, reader.pid()).getFileName().toString().equals(name))
            {
                problems.add(name + " does not hold the counters its name says (kind " + reader.kind() + ", pid " +
                    reader.pid() + "): not read");
                return;
            }
            final Process process = Process.of(reader);
            if (masterFile)
            {
                master = process;
            }
            else
            {
                workers.add(process);
            }
        }
        finally
        {
            reader.close();
        }
    }

    /** Counters files found in the directory that could not be read, one line each (what and why). */
    public List<String> problems()
    {
        return Collections.unmodifiableList(problems);
    }

    private void judgeByHeartbeats()
    {
        long newest = null == master ? Long.MIN_VALUE : master.heartbeatMillis;
        for (final Process worker : workers)
        {
            newest = Math.max(newest, worker.heartbeatMillis);
        }
        if (null != master)
        {
            master.alive = newest - master.heartbeatMillis < HEARTBEAT_STALE_MS;
        }
        for (final Process worker : workers)
        {
            worker.alive = newest - worker.heartbeatMillis < HEARTBEAT_STALE_MS;
        }
    }

    public Path dir()
    {
        return dir;
    }

    public long takenAtMillis()
    {
        return takenAtMillis;
    }

    public boolean isEmpty()
    {
        return null == master && workers.isEmpty();
    }

    /** The master's file, or null (single-process mode, or no server). */
    public Process master()
    {
        return master;
    }

    public List<Process> workers()
    {
        return Collections.unmodifiableList(workers);
    }

    public long master(final MasterCounter counter)
    {
        return null == master ? 0 : master.masterValues[counter.ordinal()];
    }

    /** The summed final values of workers that exited. */
    public long exited(final WorkerCounter counter)
    {
        return null == master ? 0 : master.exitedValues[counter.ordinal()];
    }

    /**
     * Live workers plus exited ones; for a gauge, live workers only; for a latency, the highest live
     * worker's; for the busiest shard, the server's busiest (the live worker whose busiest shard has
     * the most clients).
     */
    public long total(final WorkerCounter counter)
    {
        if (counter == WorkerCounter.BUSIEST_SHARD || counter == WorkerCounter.BUSIEST_SHARD_CLIENTS)
        {
            Process busiest = null;
            for (final Process worker : workers)
            {
                if (worker.alive && (null == busiest ||
                    worker.value(WorkerCounter.BUSIEST_SHARD_CLIENTS) > busiest.value(WorkerCounter.BUSIEST_SHARD_CLIENTS)))
                {
                    busiest = worker;
                }
            }
            return null == busiest ? 0 : busiest.value(counter);
        }
        if (counter.aggregate() == WorkerCounter.Aggregate.MAXIMUM)
        {
            long highest = 0;
            for (final Process worker : workers)
            {
                if (worker.alive)
                {
                    highest = Math.max(highest, worker.workerValues[counter.ordinal()]);
                }
            }
            return highest;
        }
        long sum = counter.isGauge() ? 0 : exited(counter);
        for (final Process worker : workers)
        {
            if (!counter.isGauge() || worker.alive)
            {
                sum += worker.workerValues[counter.ordinal()];
            }
        }
        return sum;
    }

    /** One process's file. */
    public static final class Process
    {
        private int pid;
        private int slot;
        private boolean alive;
        private long heartbeatMillis;
        private final long[] masterValues = new long[MasterCounter.COUNT];
        private final long[] exitedValues = new long[WorkerCounter.COUNT];
        private final long[] workerValues = new long[WorkerCounter.COUNT];

        public int pid()
        {
            return pid;
        }

        public int slot()
        {
            return slot;
        }

        /** The process exists and (for a worker) updated its file within the last seconds. */
        public boolean alive()
        {
            return alive;
        }

        public long value(final WorkerCounter counter)
        {
            return workerValues[counter.ordinal()];
        }

        static Process of(final CountersFileReader reader)
        {
            final Process process = new Process();
            process.pid = reader.pid();
            process.slot = reader.slot();
            process.heartbeatMillis = reader.heartbeatMillis();
            final boolean fresh = System.currentTimeMillis() - process.heartbeatMillis < HEARTBEAT_STALE_MS;
            process.alive = Files.exists(Path.of("/proc/" + process.pid)) && (fresh || reader.kind() == CountersFile.KIND_MASTER);
            // By type id, not by place: a file of an older build (fewer counters) reads as zeros for the new ones.
            for (final MasterCounter counter : MasterCounter.values())
            {
                process.masterValues[counter.ordinal()] = reader.value(counter.typeId());
            }
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                process.exitedValues[counter.ordinal()] = reader.value(MasterCounter.RETIRED_TYPE_ID_BASE + counter.ordinal());
                process.workerValues[counter.ordinal()] = reader.value(counter.typeId());
            }
            return process;
        }
    }
}
