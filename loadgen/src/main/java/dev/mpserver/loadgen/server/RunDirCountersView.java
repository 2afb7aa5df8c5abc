package dev.mpserver.loadgen.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * The counters of the server whose {@code --run-dir} is {@code runDir}, read with the protocol's
 * {@link RunDirCounters} (the same reader as {@code mpserver stat}): the master's signal and
 * hand-off counters, then the worker totals (live workers plus exited ones).
 */
public final class RunDirCountersView implements ServerCountersView
{
    /** What a storm run shows beside its own figures. */
    private static final MasterCounter[] MASTER = {
        MasterCounter.RT_SIGNALS, MasterCounter.OVERFLOWS, MasterCounter.RESCANS, MasterCounter.SIGQ_QUEUED,
        MasterCounter.HANDOFFS_ROUTED, MasterCounter.HANDOFF_BACKLOG, MasterCounter.REJECTED_SERVER_FULL,
        MasterCounter.REJECTED_SHARD_BUSY, MasterCounter.WORKERS};
    private static final WorkerCounter[] WORKERS = {
        WorkerCounter.CLIENTS, WorkerCounter.ACCEPTS, WorkerCounter.MESSAGES, WorkerCounter.CLIENTS_CLOSED,
        WorkerCounter.ERRORS_BAD_FRAME, WorkerCounter.IDLE_TIMEOUTS};

    private final Path runDir;

    public RunDirCountersView(final Path runDir)
    {
        this.runDir = runDir;
    }

    public Path runDir()
    {
        return runDir;
    }

    @Override
    public Optional<ServerCountersSnapshot> snapshot()
    {
        final RunDirCounters counters;
        try
        {
            counters = RunDirCounters.read(runDir);
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
        if (counters.isEmpty())
        {
            return Optional.empty();
        }
        final List<ServerCounter> values = new ArrayList<>();
        if (null != counters.master())
        {
            for (final MasterCounter counter : MASTER)
            {
                values.add(new ServerCounter(counter.label(), counters.master(counter)));
            }
        }
        for (final WorkerCounter counter : WORKERS)
        {
            values.add(new ServerCounter("workers: " + counter.label(), counters.total(counter)));
        }
        return Optional.of(new ServerCountersSnapshot(runDir, values));
    }

    @Override
    public String toString()
    {
        return "server counters in " + runDir;
    }
}
