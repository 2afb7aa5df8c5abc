package dev.mpserver.master.stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/** What a snapshot of the counters says in plain words: signal storms, overload, crashes, hot shards, unreadable files. */
public final class StatDiagnosis
{
    private static final double SIGQ_WARN_RATIO = 0.8;
    /** A shard this big that holds most of its worker's clients is worth a warning. */
    private static final long HOT_SHARD_MIN_CLIENTS = 100;

    private StatDiagnosis()
    {
    }

    public static List<String> of(final RunDirCounters counters)
    {
        final List<String> notes = new ArrayList<>();
        for (final String problem : counters.problems())
        {
            notes.add("UNREADABLE: " + problem + ".");
        }
        final RunDirCounters.Process master = counters.master();
        if (null != master && !master.alive())
        {
            notes.add("master pid " + master.pid() + " is not running: these are its last values.");
        }
        final long overflows = counters.master(MasterCounter.OVERFLOWS);
        if (overflows > 0)
        {
            notes.add(String.format(Locale.ROOT,
                "STORM: the RT signal queue overflowed %d times; the master recovered by rescanning every channel " +
                "(%d rescans, %d stale signals discarded). Raise RLIMIT_SIGPENDING (ulimit -i, now %d; drop --sigpending) " +
                "or run fewer workers / less hand-off traffic.",
                overflows, counters.master(MasterCounter.RESCANS), counters.master(MasterCounter.DISCARDED_SIGNALS),
                counters.master(MasterCounter.SIGQ_LIMIT)));
        }
        final long queued = counters.master(MasterCounter.SIGQ_QUEUED);
        final long limit = counters.master(MasterCounter.SIGQ_LIMIT);
        if (limit > 0 && queued >= SIGQ_WARN_RATIO * limit)
        {
            notes.add(String.format(Locale.ROOT,
                "SigQ %d/%d: this user's signal queue is nearly full (every process of the user counts); overflows will follow.",
                queued, limit));
        }
        if (counters.master(MasterCounter.HANDOFF_BACKLOG) > 0)
        {
            notes.add(counters.master(MasterCounter.HANDOFF_BACKLOG) +
                " hand-offs are waiting in the master (a worker is starting, slow or stopped).");
        }
        if (counters.master(MasterCounter.REJECTED_SHARD_BUSY) > 0)
        {
            notes.add(counters.master(MasterCounter.REJECTED_SHARD_BUSY) +
                " clients were refused with E3 'shard busy': their worker's hand-off queue was full (stalled worker?).");
        }
        overloadNotes(counters, notes);
        if (counters.master(MasterCounter.CRASHES) > 0)
        {
            notes.add(counters.master(MasterCounter.CRASHES) + " workers died young; respawn backoff is now " +
                counters.master(MasterCounter.RESPAWN_BACKOFF_MS) + " ms. Check the workers' log lines.");
        }
        hotShards(counters, notes);
        if (notes.isEmpty())
        {
            notes.add("ok: no signal queue overflow, no refused clients, no crashes.");
        }
        return notes;
    }

    /** E2 refusals, each with the limit that was actually hit. */
    private static void overloadNotes(final RunDirCounters counters, final List<String> notes)
    {
        final long noWorker = counters.master(MasterCounter.REJECTED_SERVER_FULL);
        if (noWorker > 0)
        {
            final long spawnFailures = counters.master(MasterCounter.SPAWN_FAILURES);
            final String limit = spawnFailures > 0
                ? "and " + spawnFailures + " worker starts failed (see the master's log)"
                : "with every worker at --worker-capacity (" + counters.master(MasterCounter.WORKER_CAPACITY) + " clients) and " +
                "--max-workers (" + counters.master(MasterCounter.MAX_WORKERS) + ") running: raise --max-workers or --worker-capacity";
            notes.add(noWorker + " clients were refused with E2 'server full': no worker could take a new shard, " + limit + ".");
        }
        final long shardWorkerFull = counters.master(MasterCounter.REJECTED_SHARD_WORKER_FULL) +
            counters.total(WorkerCounter.ERRORS_SERVER_FULL);
        if (shardWorkerFull > 0)
        {
            notes.add(shardWorkerFull + " clients were refused with E2 'server full' because their shard's worker was at " +
                "--max-clients (" + counters.master(MasterCounter.MAX_CLIENTS) + "); a shard is never split across workers: raise " +
                "--max-clients (its default is what the fd limit allows) or spread the load over more shards.");
        }
        final long closedAtOnce = counters.master(MasterCounter.LINGER_AT_CAPACITY) + counters.total(WorkerCounter.LINGER_AT_CAPACITY);
        if (closedAtOnce > 0)
        {
            notes.add(closedAtOnce + " refused clients were closed at once, too many were already lingering: they may " +
                "have seen a reset instead of their 'E'.");
        }
    }

    private static void hotShards(final RunDirCounters counters, final List<String> notes)
    {
        final long clients = counters.total(WorkerCounter.CLIENTS);
        int live = 0;
        for (final RunDirCounters.Process worker : counters.workers())
        {
            live += worker.alive() ? 1 : 0;
        }
        for (final RunDirCounters.Process worker : counters.workers())
        {
            final long own = worker.value(WorkerCounter.CLIENTS);
            final long hot = worker.value(WorkerCounter.BUSIEST_SHARD_CLIENTS);
            if (!worker.alive())
            {
                continue;
            }
            if (hot >= HOT_SHARD_MIN_CLIENTS && 2 * hot > own)
            {
                notes.add("HOT SHARD: shard " + worker.value(WorkerCounter.BUSIEST_SHARD) + " has " + hot + " of the " + own +
                    " clients of worker slot " + worker.slot() + " (pid " + worker.pid() + "); a shard is always served by " +
                    "one worker, so this worker caps it (consider splitting that vhost).");
            }
            else if (live > 1 && own > HOT_SHARD_MIN_CLIENTS && own * live > 2 * clients)
            {
                notes.add("worker slot " + worker.slot() + " (pid " + worker.pid() + ") carries " + own + " of " + clients +
                    " clients, over several shards: the shard placement is uneven.");
            }
        }
    }
}
