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
 * summed counters of workers that exited, and each worker's file. Totals of worker counters are
 * live workers plus exited ones (for gauges: live workers only). Read-only and lock-free; used by
 * {@code mpserver stat} and by loadgen to show the server's side of a run.
 */
public final class RunDirCounters
{
    private static final long HEARTBEAT_STALE_MS = 3000;

    private final Path dir;
    private final long takenAtMillis = System.currentTimeMillis();
    private Process master;
    private final List<Process> workers = new ArrayList<>();

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

    /** @return the counters now; empty (no master, no workers) when the directory has none. */
    public static RunDirCounters read(final Path dir) throws IOException
    {
        return read(dir, Liveness.LOCAL);
    }

    /** @return the counters of {@code dir}, whose processes are judged alive as {@code liveness} says. */
    public static RunDirCounters read(final Path dir, final Liveness liveness) throws IOException
    {
        final RunDirCounters snapshot = new RunDirCounters(dir);
        if (!Files.isDirectory(dir))
        {
            return snapshot;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CountersFile.SUFFIX))
        {
            for (final Path file : files)
            {
                final CountersFileReader reader = CountersFileReader.open(file);
                if (null == reader)
                {
                    continue;
                }
                try
                {
                    final Process process = Process.of(reader);
                    if (reader.kind() == CountersFile.KIND_MASTER)
                    {
                        snapshot.master = process;
                    }
                    else
                    {
                        snapshot.workers.add(process);
                    }
                }
                finally
                {
                    reader.close();
                }
            }
        }
        if (liveness == Liveness.COPIED)
        {
            snapshot.judgeByHeartbeats();
        }
        snapshot.workers.sort(Comparator.comparingInt((Process p) -> p.slot).thenComparingInt(p -> p.pid));
        return snapshot;
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
     * Live workers plus exited ones; for a gauge, live workers only; for the busiest shard, the
     * server's busiest (the live worker whose busiest shard has the most clients).
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
            reader.forEach((typeId, label, value) ->
            {
                if (typeId >= MasterCounter.RETIRED_TYPE_ID_BASE && typeId < MasterCounter.RETIRED_TYPE_ID_BASE + WorkerCounter.COUNT)
                {
                    process.exitedValues[typeId - MasterCounter.RETIRED_TYPE_ID_BASE] = value;
                }
                else if (typeId >= MasterCounter.TYPE_ID_BASE && typeId < MasterCounter.TYPE_ID_BASE + MasterCounter.COUNT)
                {
                    process.masterValues[typeId - MasterCounter.TYPE_ID_BASE] = value;
                }
                else if (typeId >= WorkerCounter.TYPE_ID_BASE && typeId < WorkerCounter.TYPE_ID_BASE + WorkerCounter.COUNT)
                {
                    process.workerValues[typeId - WorkerCounter.TYPE_ID_BASE] = value;
                }
            });
            return process;
        }
    }
}
