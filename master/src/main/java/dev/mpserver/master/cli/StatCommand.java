package dev.mpserver.master.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.WorkerCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver stat}: an outside, read-only view of a running (or stopped) server's counters,
 * in the spirit of AeronStat. It maps the counters files under the run directory and never
 * signals, locks or writes anything, so it can be run as often as wanted during a storm.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
        "Show the counters of a running or stopped mpserver, read from its run directory without disturbing it: master counters, worker totals (live workers plus those that exited) and each live worker, then a diagnosis of signal storms and overload in plain words."})
public final class StatCommand implements Callable<Integer>
{
    private static final double SIGQ_WARN_RATIO = 0.8;
    /** A shard this big that holds most of its worker's clients is worth a warning. */
    private static final long HOT_SHARD_MIN_CLIENTS = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "The server's --run-dir (default /tmp/mpserver-<port>).")
    Path runDir;

    @Option(names = {"-p", "--port"}, defaultValue = "8935", description = "Find the run dir of the server on this port (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "1", paramLabel = "SECONDS",
        description = "Refresh every SECONDS (default 1) until interrupted.")
    Double watchSeconds;

    @Option(names = "--count", defaultValue = "0", description = "With --watch: stop after this many refreshes (0 = never).")
    int count;

    @Option(names = "--json", description = "Print one JSON object per refresh instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception
    {
        final Path dir = null != runDir ? runDir : Path.of("/tmp", "mpserver-" + port);
        final PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(dir))
        {
            spec.commandLine().getErr().println("mpserver stat: no run directory " + dir +
                " (is the server running with this --port or --run-dir?)");
            return 2;
        }
        int rounds = 0;
        while (true)
        {
            final Snapshot snapshot = Snapshot.read(dir);
            if (snapshot.counters.isEmpty())
            {
                spec.commandLine().getErr().println("mpserver stat: no counters files in " + dir);
                return 2;
            }
            if (json)
            {
                out.println(snapshot.toJson());
            }
            else
            {
                if (null != watchSeconds && System.console() != null)
                {
                    out.print("\033[H\033[2J");
                }
                out.print(snapshot.toTable());
            }
            out.flush();
            rounds++;
            if (null == watchSeconds || (count > 0 && rounds >= count))
            {
                return 0;
            }
            Thread.sleep(Math.max(100, (long)(watchSeconds * 1000)));
        }
    }

    /** The rendering of one {@link RunDirCounters} read: table, JSON, diagnosis. */
    static final class Snapshot
    {
        final RunDirCounters counters;
        final Path dir;
        final long takenAtMillis;
        final RunDirCounters.Process master;
        final List<RunDirCounters.Process> workers;

        private Snapshot(final RunDirCounters counters)
        {
            this.counters = counters;
            this.dir = counters.dir();
            this.takenAtMillis = counters.takenAtMillis();
            this.master = counters.master();
            this.workers = counters.workers();
        }

        static Snapshot read(final Path dir) throws IOException
        {
            return new Snapshot(RunDirCounters.read(dir));
        }

        long master(final MasterCounter counter)
        {
            return counters.master(counter);
        }

        long retired(final WorkerCounter counter)
        {
            return counters.exited(counter);
        }

        long total(final WorkerCounter counter)
        {
            return counters.total(counter);
        }

        /** E2 refusals, each with the limit that was actually hit. */
        List<String> overloadNotes()
        {
            final List<String> notes = new ArrayList<>();
            final long noWorker = master(MasterCounter.REJECTED_SERVER_FULL);
            if (noWorker > 0)
            {
                final long spawnFailures = master(MasterCounter.SPAWN_FAILURES);
                final String limit = spawnFailures > 0
                    ? "and " + spawnFailures + " worker starts failed (see the master's log)"
                    : "with every worker at --worker-capacity (" + master(MasterCounter.WORKER_CAPACITY) + " clients) and " +
                    "--max-workers (" + master(MasterCounter.MAX_WORKERS) + ") running: raise --max-workers or --worker-capacity";
                notes.add(noWorker + " clients were refused with E2 'server full': no worker could take a new shard, " + limit + ".");
            }
            final long shardWorkerFull = master(MasterCounter.REJECTED_SHARD_WORKER_FULL) + total(WorkerCounter.ERRORS_SERVER_FULL);
            if (shardWorkerFull > 0)
            {
                notes.add(shardWorkerFull + " clients were refused with E2 'server full' because their shard's worker was at " +
                    "--max-clients (" + master(MasterCounter.MAX_CLIENTS) + "); a shard is never split across workers: raise " +
                    "--max-clients (its default is what the fd limit allows) or spread the load over more shards.");
            }
            final long closedAtOnce = master(MasterCounter.LINGER_AT_CAPACITY) + total(WorkerCounter.LINGER_AT_CAPACITY);
            if (closedAtOnce > 0)
            {
                notes.add(closedAtOnce + " refused clients were closed at once, too many were already lingering: they may " +
                    "have seen a reset instead of their 'E'.");
            }
            return notes;
        }

        List<String> diagnosis()
        {
            final List<String> notes = new ArrayList<>();
            if (null != master && !master.alive())
            {
                notes.add("master pid " + master.pid() + " is not running: these are its last values.");
            }
            final long overflows = master(MasterCounter.OVERFLOWS);
            if (overflows > 0)
            {
                notes.add(String.format(Locale.ROOT,
                    "STORM: the RT signal queue overflowed %d times; the master recovered by rescanning every channel " +
                    "(%d rescans, %d stale signals discarded). Raise RLIMIT_SIGPENDING (ulimit -i, now %d; drop --sigpending) " +
                    "or run fewer workers / less hand-off traffic.",
                    overflows, master(MasterCounter.RESCANS), master(MasterCounter.DISCARDED_SIGNALS), master(MasterCounter.SIGQ_LIMIT)));
            }
            final long queued = master(MasterCounter.SIGQ_QUEUED);
            final long limit = master(MasterCounter.SIGQ_LIMIT);
            if (limit > 0 && queued >= SIGQ_WARN_RATIO * limit)
            {
                notes.add(String.format(Locale.ROOT,
                    "SigQ %d/%d: this user's signal queue is nearly full (every process of the user counts); overflows will follow.",
                    queued, limit));
            }
            if (master(MasterCounter.HANDOFF_BACKLOG) > 0)
            {
                notes.add(master(MasterCounter.HANDOFF_BACKLOG) +
                    " hand-offs are waiting in the master (a worker is starting, slow or stopped).");
            }
            if (master(MasterCounter.REJECTED_SHARD_BUSY) > 0)
            {
                notes.add(master(MasterCounter.REJECTED_SHARD_BUSY) +
                    " clients were refused with E3 'shard busy': their worker's hand-off queue was full (stalled worker?).");
            }
            notes.addAll(overloadNotes());
            if (master(MasterCounter.CRASHES) > 0)
            {
                notes.add(master(MasterCounter.CRASHES) + " workers died young; respawn backoff is now " +
                    master(MasterCounter.RESPAWN_BACKOFF_MS) + " ms. Check the workers' log lines.");
            }
            final long clients = total(WorkerCounter.CLIENTS);
            int live = 0;
            for (final RunDirCounters.Process worker : workers)
            {
                live += worker.alive() ? 1 : 0;
            }
            for (final RunDirCounters.Process worker : workers)
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
            if (notes.isEmpty())
            {
                notes.add("ok: no signal queue overflow, no refused clients, no crashes.");
            }
            return notes;
        }

        String toTable()
        {
            final StringBuilder text = new StringBuilder();
            text.append("mpserver stat  ").append(dir).append("  ").append(Instant.ofEpochMilli(takenAtMillis)).append('\n');
            if (null != master)
            {
                text.append(String.format(Locale.ROOT, "master pid %d %s%n%n", master.pid(), master.alive() ? "running" : "NOT RUNNING"));
                for (final MasterCounter counter : MasterCounter.values())
                {
                    text.append(String.format(Locale.ROOT, "  %-34s %14d%n", counter.label(), counters.master(counter)));
                }
                text.append('\n');
            }
            text.append(String.format(Locale.ROOT, "  %-34s %14s %10s", "workers", "total", "exited"));
            for (final RunDirCounters.Process worker : workers)
            {
                text.append(String.format(Locale.ROOT, " %12s", "w" + worker.slot() + ":" + worker.pid() + (worker.alive() ? "" : "†")));
            }
            text.append('\n');
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                text.append(String.format(Locale.ROOT, "  %-34s %14d %10s", counter.label(), total(counter),
                    counter.isGauge() ? "-" : Long.toString(retired(counter))));
                for (final RunDirCounters.Process worker : workers)
                {
                    text.append(String.format(Locale.ROOT, " %12d", worker.value(counter)));
                }
                text.append('\n');
            }
            text.append('\n');
            text.append(HotKeysReport.table(HotKeysReport.read(dir, workers)));
            for (final String note : diagnosis())
            {
                text.append("  ").append(note).append('\n');
            }
            return text.toString();
        }

        String toJson()
        {
            final StringBuilder json = new StringBuilder(1024);
            json.append("{\"runDir\":").append(quote(dir.toString())).append(",\"time\":").append(takenAtMillis);
            if (null != master)
            {
                json.append(",\"master\":{\"pid\":").append(master.pid()).append(",\"alive\":").append(master.alive());
                for (final MasterCounter counter : MasterCounter.values())
                {
                    json.append(',').append(quote(key(counter.name()))).append(':').append(counters.master(counter));
                }
                json.append('}');
            }
            json.append(",\"totals\":{");
            for (final WorkerCounter counter : WorkerCounter.values())
            {
                json.append(counter.ordinal() == 0 ? "" : ",").append(quote(key(counter.name()))).append(':').append(total(counter));
            }
            json.append("},\"workers\":[");
            for (int w = 0; w < workers.size(); w++)
            {
                final RunDirCounters.Process worker = workers.get(w);
                json.append(w == 0 ? "" : ",").append("{\"pid\":").append(worker.pid()).append(",\"slot\":").append(worker.slot())
                    .append(",\"alive\":").append(worker.alive());
                for (final WorkerCounter counter : WorkerCounter.values())
                {
                    json.append(',').append(quote(key(counter.name()))).append(':').append(worker.value(counter));
                }
                json.append('}');
            }
            json.append("],\"hotKeys\":").append(HotKeysReport.json(HotKeysReport.read(dir, workers)));
            json.append(",\"diagnosis\":[");
            final List<String> notes = diagnosis();
            for (int i = 0; i < notes.size(); i++)
            {
                json.append(i == 0 ? "" : ",").append(quote(notes.get(i)));
            }
            return json.append("]}").toString();
        }

        private static String key(final String enumName)
        {
            final StringBuilder camel = new StringBuilder();
            boolean upper = false;
            for (final char c : enumName.toLowerCase(Locale.ROOT).toCharArray())
            {
                if (c == '_')
                {
                    upper = true;
                }
                else
                {
                    camel.append(upper ? Character.toUpperCase(c) : c);
                    upper = false;
                }
            }
            return camel.toString();
        }

        private static String quote(final String text)
        {
            return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
