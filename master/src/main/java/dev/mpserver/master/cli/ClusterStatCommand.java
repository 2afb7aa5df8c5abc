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

import dev.mpserver.master.stat.StatTable;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver cluster-stat}: {@code mpserver stat} for several hosts at once, one run directory
 * each, with the cluster's totals next to every host's. Read-only, like {@code stat}.
 */
@Command(
    name = "cluster-stat",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    description = {
        "Show the counters of several mpserver hosts side by side, with the cluster's totals: one run directory per host. "
            + "On one machine (hosts in network namespaces, or several servers), give their --run-dir. For other machines, "
            + "copy their run directories here first (rsync -a HOST:/run/mpserver-8935/ DIR/, each time) and add --copied. "
            + "Counts are summed over every host; levels (workers, clients, shards) over the hosts whose master is running."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:counters shown", "2:bad options, a run directory missing, or a failure (one line on stderr)"})
public final class ClusterStatCommand implements Callable<Integer>
{
    /** A live host with this many times the average clients, and more than {@link #UNEVEN_MIN_CLIENTS}, is pointed out. */
    private static final double UNEVEN_RATIO = 1.5;
    private static final long UNEVEN_MIN_CLIENTS = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--run-dirs", required = true, split = ",", paramLabel = "[NAME=]DIR",
        description = "The hosts' run directories, comma-separated; NAME labels the column (default: h0, h1, ...).")
    List<String> runDirs;

    @Option(names = "--copied",
        description = "The directories are copies from other machines: judge processes alive by their heartbeats, not by this "
            + "machine's pids.")
    boolean copied;

    @Override
    public Integer call() throws IOException
    {
        final CommandLine cli = spec.commandLine();
        final List<ClusterCounters.Host> hosts = new ArrayList<>();
        for (int i = 0; i < runDirs.size(); i++)
        {
            final String entry = runDirs.get(i);
            final int equals = entry.indexOf('=');
            final String name = equals > 0 ? entry.substring(0, equals) : "h" + i;
            final Path dir = Path.of(equals > 0 ? entry.substring(equals + 1) : entry);
            if (!Files.isDirectory(dir))
            {
                throw new CommandLine.ParameterException(cli, "--run-dirs: " + dir + " is no directory");
            }
            hosts.add(new ClusterCounters.Host(name,
                RunDirCounters.read(dir, copied ? RunDirCounters.Liveness.COPIED : RunDirCounters.Liveness.LOCAL)));
        }
        final PrintWriter out = cli.getOut();
        out.print(table(new ClusterCounters(hosts)));
        out.flush();
        return 0;
    }

    static String table(final ClusterCounters cluster)
    {
        final StringBuilder text = new StringBuilder(4096);
        text.append(String.format(Locale.ROOT, "mpserver cluster-stat  %d hosts, %d running  %s%n%n", cluster.hosts().size(),
            cluster.running(), Instant.now()));
        text.append(String.format(Locale.ROOT, StatTable.LABEL + " %14s", "", "cluster"));
        for (final ClusterCounters.Host host : cluster.hosts())
        {
            text.append(String.format(Locale.ROOT, " %12s", host.name() + (host.running() ? "" : "†")));
        }
        text.append('\n');
        for (final MasterCounter counter : MasterCounter.values())
        {
            text.append(String.format(Locale.ROOT, StatTable.LABEL + " %14d", counter.label(), cluster.master(counter)));
            for (final ClusterCounters.Host host : cluster.hosts())
            {
                text.append(String.format(Locale.ROOT, " %12d", host.counters().master(counter)));
            }
            text.append('\n');
        }
        text.append(String.format(Locale.ROOT, StatTable.LABEL + "%n", "workers (live + exited):"));
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            text.append(String.format(Locale.ROOT, StatTable.LABEL + " %14d", counter.label(), cluster.total(counter)));
            for (final ClusterCounters.Host host : cluster.hosts())
            {
                text.append(String.format(Locale.ROOT, " %12d", host.counters().total(counter)));
            }
            text.append('\n');
        }
        text.append('\n');
        for (final ClusterCounters.Host host : cluster.hosts())
        {
            text.append("  ").append(host.name()).append(": ").append(host.counters().dir()).append("  ").append(state(host)).append('\n');
        }
        text.append('\n');
        for (final String note : notes(cluster))
        {
            text.append("  ").append(note).append('\n');
        }
        return text.toString();
    }

    private static String state(final ClusterCounters.Host host)
    {
        final RunDirCounters.Process master = host.counters().master();
        if (null == master)
        {
            return host.counters().isEmpty() ? "no counters" : "single process (no master)";
        }
        return "master pid " + master.pid() + (master.alive() ? " running" : " NOT RUNNING");
    }

    static List<String> notes(final ClusterCounters cluster)
    {
        final List<String> notes = new ArrayList<>();
        final long clients = cluster.total(WorkerCounter.CLIENTS);
        final int running = cluster.running();
        for (final ClusterCounters.Host host : cluster.hosts())
        {
            if (host.counters().isEmpty())
            {
                notes.add(host.name() + ": no counters files in " + host.counters().dir() + " (not started yet, or not its --run-dir).");
            }
            else if (!host.running())
            {
                notes.add(host.name() + ": its master is not running; its counts are its last values. Behind HAProxy "
                    + "(mpserver haproxy-config) its shards are served by its backup until it is back.");
            }
            else
            {
                final long own = host.counters().total(WorkerCounter.CLIENTS);
                if (running > 1 && own > UNEVEN_MIN_CLIENTS && own * running > UNEVEN_RATIO * clients)
                {
                    notes.add(String.format(Locale.ROOT, "%s carries %d of the cluster's %d clients: a hot shard, or standing in "
                        + "for a host that is down?", host.name(), own, clients));
                }
            }
            if (host.counters().master(MasterCounter.OVERFLOWS) > 0 || host.counters().master(MasterCounter.CRASHES) > 0)
            {
                notes.add(host.name() + ": RT signal queue overflows or worker crashes; see mpserver stat --run-dir "
                    + host.counters().dir());
            }
        }
        if (notes.isEmpty())
        {
            notes.add("ok: every host's master is running.");
        }
        final ClusterCounters.Host busiest = cluster.busiestShardHost();
        if (null != busiest)
        {
            notes.add("busiest shard: " + busiest.counters().total(WorkerCounter.BUSIEST_SHARD) + " with "
                + busiest.counters().total(WorkerCounter.BUSIEST_SHARD_CLIENTS) + " clients, on " + busiest.name() + ".");
        }
        return notes;
    }
}
