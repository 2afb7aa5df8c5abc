package dev.mpserver.loadgen.multihost;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code scripts/multihost}: several mpserver hosts in network namespaces behind HAProxy on this
 * machine, to try by hand ({@code up}) or to measure ({@code measure}, what {@code scripts/bench
 * --only multihost} is to run).
 */
@Command(name = "multihost", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = {MultiHostCommand.Up.class, MultiHostCommand.Measure.class},
    description = {"Several mpserver hosts, each in a network namespace of its own, behind HAProxy on 127.0.0.1 with the "
        + "configuration 'mpserver haproxy-config' prints for them. Needs root, iproute2 and haproxy. Everything it makes "
        + "(namespaces, veth pairs, a private /24, processes) is taken down when it ends."})
public final class MultiHostCommand implements Callable<Integer>
{
    private static final int USAGE_ERROR = 2;
    private static final int UNAVAILABLE = 3;

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (where master/target/lib is).")
    Path repo;

    @Option(names = "--work-dir", defaultValue = "/tmp", description = "Where run directories and logs go (default ${DEFAULT-VALUE}).")
    Path workDir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE_ERROR;
    }

    String classPath()
    {
        return repo.resolve("master/target/lib").toAbsolutePath() + File.separator + "*";
    }

    static int unavailable()
    {
        final String reason = MultiHostCluster.unavailableReason();
        if (null != reason)
        {
            System.err.println("multihost: " + reason);
            return UNAVAILABLE;
        }
        return 0;
    }

    /** {@code multihost up}: start, print how to reach it, wait for Enter (or a signal), take it down. */
    @Command(name = "up", mixinStandardHelpOptions = true, description = "Start the hosts and HAProxy, print where they are, and "
        + "keep them until Enter (or TERM/INT).")
    static final class Up implements Callable<Integer>
    {
        @ParentCommand
        MultiHostCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--hosts", defaultValue = "2", description = "Hosts (default ${DEFAULT-VALUE}).")
        int hosts;

        @Option(names = "--workers", defaultValue = "2", description = "mpserver --workers of each host (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--max-clients", defaultValue = "1000",
            description = "mpserver --max-clients of each host (default ${DEFAULT-VALUE}); HAProxy's maxconn follows.")
        int maxClients;

        @Override
        public Integer call() throws Exception
        {
            if (hosts < 1 || hosts > PrivateSubnet.MAX_LINKS || workers < 1 || maxClients < 1)
            {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--hosts must be 1.." + PrivateSubnet.MAX_LINKS + ", --workers and --max-clients at least 1");
            }
            final int unavailable = unavailable();
            if (0 != unavailable)
            {
                return unavailable;
            }
            try (MultiHostCluster cluster = MultiHostCluster.builder(parent.classPath(), parent.workDir).hosts(hosts).workersPerHost(workers)
                .maxClients(maxClients).start())
            {
                final List<String> runDirs = new ArrayList<>();
                for (int i = 0; i < cluster.hosts(); i++)
                {
                    final NamespacedServer server = cluster.server(i);
                    System.out.printf("host h%d: %s:%d in namespace %s, master pid %d, run dir %s%n", i, server.address(), server.port(),
                        server.host().name(), server.masterPid(), server.runDir());
                    runDirs.add("h" + i + "=" + server.runDir());
                }
                System.out.printf("haproxy: 127.0.0.1:%d, pid %d, configuration %s, log %s%n", cluster.port(), cluster.haproxy().pid(),
                    cluster.dir().resolve("haproxy.cfg"), cluster.haproxy().log());
                System.out.printf("try:     scripts/loadgen run --port %d --conns 2000 --rate 300 --msgs 10 --msg-rate 20 --verify%n",
                    cluster.port());
                System.out.printf("         scripts/mpserver cluster-stat --run-dirs %s%n", String.join(",", runDirs));
                System.out.println("Enter ends it (without a terminal: TERM or INT).");
                System.out.flush();
                if (null == new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())
                {
                    new CountDownLatch(1).await(); // no input to wait on: until a signal, whose shutdown hook takes it all down
                }
            }
            return 0;
        }
    }

    /** {@code multihost measure}: the benchmark of {@link MultiHostMeasurement}. */
    @Command(name = "measure", mixinStandardHelpOptions = true, description = "Through HAProxy to 2 hosts vs 1 host directly at "
        + "300 conns/s, and the loss of a host under that load: route latency, lost clients, split shards. About a minute a repeat.")
    static final class Measure implements Callable<Integer>
    {
        @ParentCommand
        MultiHostCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--repeat", defaultValue = "3", description = "Repeats, each on a new cluster; medians (default ${DEFAULT-VALUE}).")
        int repeat;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
        Path json;

        @Override
        public Integer call() throws Exception
        {
            if (repeat < 1 || repeat > 9)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be 1..9");
            }
            final int unavailable = unavailable();
            if (0 != unavailable)
            {
                return unavailable;
            }
            final Map<String, MultiHostMeasurement.Figures> figures =
                new MultiHostMeasurement(parent.classPath(), parent.workDir, repeat).run(System.err);
            MultiHostMeasurement.print(figures, System.out);
            if (null != json)
            {
                final StringBuilder text = new StringBuilder("{");
                for (final Map.Entry<String, Object> e : MultiHostMeasurement.results(figures).entrySet())
                {
                    text.append(text.length() == 1 ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
                }
                Files.writeString(json, text.append("}\n").toString());
            }
            return 0;
        }
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new MultiHostCommand()).execute(args));
    }
}
