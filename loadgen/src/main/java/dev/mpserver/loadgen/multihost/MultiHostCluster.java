package dev.mpserver.loadgen.multihost;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.mpserver.protocol.launch.MainClasses;

/**
 * Several mpserver hosts behind one HAProxy, on one machine: each host is an mpserver in a network
 * namespace of its own ({@link NetnsHost}, {@link NamespacedServer}), and HAProxy runs in the root
 * namespace on 127.0.0.1 with the configuration {@code mpserver haproxy-config} prints for them, so
 * the configuration under test is the one users get. Everything is made for this cluster alone
 * (namespaces, veth pairs and a /24 that nothing else on the machine uses, names unique per run)
 * and taken down by {@link #close} (also at JVM exit, if nobody called it), processes by pid.
 *
 * <pre>{@code
 * try (MultiHostCluster cluster = MultiHostCluster.builder(mpserverClassPath, workDir).hosts(3).start())
 * {
 *     LoadConfig.builder(cluster.port()) ...          // clients connect to HAProxy on 127.0.0.1
 *     cluster.hostOfPid(pid);                           // an 'I' reply's pid -> the host that served it
 *     cluster.kill(0); cluster.awaitHostStatus(0, "DOWN", 5000);
 *     cluster.restart(0); cluster.awaitHostStatus(0, "UP", 10000);
 * }
 * }</pre>
 *
 * Needs root, iproute2 ({@code ip}) and HAProxy: {@link #unavailableReason()} says what is missing.
 */
public final class MultiHostCluster implements AutoCloseable
{
    /** HAProxy's status of a server that is up, or down, as {@code show stat} shows it. */
    public static final String UP = "UP";
    public static final String DOWN = "DOWN";

    private static final AtomicInteger CLUSTERS = new AtomicInteger();
    private static final long ALL_UP_TIMEOUT_MS = 15_000;

    private final Builder settings;
    private final String prefix;
    private final Path dir;
    private final List<NetnsHost> namespaces = new ArrayList<>();
    private final List<NamespacedServer> servers = new ArrayList<>();
    private final List<HaproxyProcess> terminators = new ArrayList<>();
    private final Thread cleanup = new Thread(this::stopAll, "multihost-cleanup");
    private PrivateSubnet subnet;
    private HaproxyProcess haproxy;
    private String config;
    private int port;
    private int rtmpsPort;

    private MultiHostCluster(final Builder settings) throws IOException
    {
        this.settings = settings;
        final int sequence = CLUSTERS.incrementAndGet();
        // Unique on this machine while this JVM runs, and short: a veth name has at most 15 characters.
        this.prefix = "mp" + Long.toString(ProcessHandle.current().pid(), Character.MAX_RADIX) + "-"
            + Integer.toString(sequence, Character.MAX_RADIX);
        this.dir = Files.createDirectories(settings.workDir.resolve("multihost-" + prefix)).toAbsolutePath();
    }

    /**
     * @param mpserverClassPath the class path mpserver runs with ({@code master/target/lib/*}, or a test's own).
     * @param workDir           where run directories, configurations and logs go (one subdirectory per cluster).
     */
    public static Builder builder(final String mpserverClassPath, final Path workDir)
    {
        return new Builder(mpserverClassPath, workDir);
    }

    /** @return null if namespaced hosts and HAProxy can run here, else what is missing, in words. */
    public static String unavailableReason()
    {
        return MultiHostPrerequisites.unavailableReason();
    }

    private MultiHostCluster launch() throws IOException
    {
        Runtime.getRuntime().addShutdownHook(cleanup);
        try
        {
            subnet = PrivateSubnet.pickFree(System.nanoTime());
            for (int i = 0; i < settings.hosts; i++)
            {
                namespaces.add(NetnsHost.create("mpserver-" + prefix + "-h" + i, prefix + "r" + i, prefix + "n" + i, subnet, i));
            }
            for (int i = 0; i < settings.hosts; i++)
            {
                servers.add(NamespacedServer.start(namespaces.get(i), settings.classPath, dir.resolve("h" + i), mpserverOptions()));
            }
            for (final NamespacedServer server : servers)
            {
                server.awaitReady();
            }
            port = HaproxyProcess.freeLoopbackPort();
            final List<String> command = new ArrayList<>(List.of("haproxy-config", "--hosts", hostList(), "--bind", "127.0.0.1:" + port,
                "--stats-socket", dir.resolve("haproxy.sock").toString(), "--log-connections"));
            command.addAll(sizing());
            if (!settings.rtmpsVhosts.isEmpty())
            {
                rtmpsPort = HaproxyProcess.freeLoopbackPort();
                command.addAll(List.of("--rtmp-vhosts", vhostList(), "--rtmps-bind", "127.0.0.1:" + rtmpsPort));
            }
            command.addAll(settings.haproxyConfigOptions);
            config = mpserver(command);
            haproxy = HaproxyProcess.start(List.of(), dir, "haproxy", config, "127.0.0.1", port, dir.resolve("haproxy.sock"));
            for (int i = 0; i < settings.hosts; i++)
            {
                awaitHostStatus(i, UP, ALL_UP_TIMEOUT_MS);
            }
            return this;
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** The balancer's port on 127.0.0.1, for 'C' clients. */
    public int port()
    {
        return port;
    }

    /** The balancer's RTMPS port on 127.0.0.1 (0 without {@link Builder#rtmpsVhosts}). */
    public int rtmpsPort()
    {
        return rtmpsPort;
    }

    public int hosts()
    {
        return servers.size();
    }

    public NamespacedServer server(final int host)
    {
        return servers.get(host);
    }

    public HaproxyProcess haproxy()
    {
        return haproxy;
    }

    /** The configuration HAProxy runs, as {@code mpserver haproxy-config} printed it. */
    public String config()
    {
        return config;
    }

    public PrivateSubnet subnet()
    {
        return subnet;
    }

    public Path dir()
    {
        return dir;
    }

    /** @return the host whose master or worker had {@code pid} (an 'I' reply names its worker's), or -1. */
    public int hostOfPid(final long pid)
    {
        for (int host = 0; host < servers.size(); host++)
        {
            if (servers.get(host).knownPids().contains(pid))
            {
                return host;
            }
        }
        return -1;
    }

    /** Host {@code host} is lost: SIGKILL to its master and workers at once. */
    public void kill(final int host) throws IOException
    {
        servers.get(host).kill();
    }

    /** Host {@code host} comes back: its mpserver again, on the same address and port. */
    public void restart(final int host) throws IOException
    {
        servers.get(host).restart();
    }

    /** Waits until HAProxy shows host {@code host} as {@code status} ({@link #UP}, {@link #DOWN}); returns the ms it took. */
    public long awaitHostStatus(final int host, final String status, final long timeoutMillis) throws IOException
    {
        return haproxy.awaitStatus(backendName(host), serverName(host), status, timeoutMillis);
    }

    /** HAProxy's backend for host {@code host}'s shards, as mpserver haproxy-config names it. */
    public static String backendName(final int host)
    {
        return "mpserver_" + serverName(host);
    }

    public static String serverName(final int host)
    {
        return "h" + host;
    }

    /**
     * Starts the TLS terminator of host {@code host} (HAProxy inside its namespace, the configuration
     * {@code mpserver haproxy-config --tls-terminator} prints) on the terminator port of
     * {@link Builder#rtmpsVhosts}, forwarding to that host's mpserver.
     */
    public HaproxyProcess startTlsTerminator(final int host, final Path pem) throws IOException
    {
        final NamespacedServer server = servers.get(host);
        final List<String> command = new ArrayList<>(List.of("haproxy-config", "--tls-terminator", pem.toString(),
            "--bind", server.address() + ":" + settings.terminatorPort, "--hosts", server.address() + ":" + server.port()));
        command.addAll(sizing());
        final HaproxyProcess terminator = HaproxyProcess.start(server.host().inside(List.of()), dir, "tls-h" + host,
            mpserver(command), server.address(), settings.terminatorPort, null);
        terminators.add(terminator);
        return terminator;
    }

    /** Takes everything down, processes by pid first, then the namespaces (and their veth pairs). */
    @Override
    public void close()
    {
        stopAll();
        try
        {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        catch (final IllegalStateException ex)
        {
            // the JVM is shutting down: the hook runs (or ran) stopAll, which does nothing twice
        }
    }

    private synchronized void stopAll()
    {
        if (null != haproxy)
        {
            haproxy.close();
        }
        for (final HaproxyProcess terminator : terminators)
        {
            terminator.close();
        }
        for (final NamespacedServer server : servers)
        {
            server.close();
        }
        for (final NetnsHost namespace : namespaces)
        {
            namespace.close();
        }
    }

    private List<String> mpserverOptions()
    {
        final List<String> options = new ArrayList<>(List.of("--workers", Integer.toString(settings.workers)));
        options.addAll(sizing());
        options.addAll(settings.mpserverOptions);
        return options;
    }

    /** The same limits for the hosts and for the configuration sized from them. */
    private List<String> sizing()
    {
        return List.of("--max-workers", Integer.toString(settings.workers), "--max-clients", Integer.toString(settings.maxClients));
    }

    private String hostList()
    {
        final List<String> hosts = new ArrayList<>();
        for (final NamespacedServer server : servers)
        {
            hosts.add(server.address() + ":" + server.port());
        }
        return String.join(",", hosts);
    }

    private String vhostList()
    {
        final List<String> vhosts = new ArrayList<>();
        for (final Map.Entry<String, Integer> vhost : settings.rtmpsVhosts.entrySet())
        {
            vhosts.add(vhost.getKey() + "=" + servers.get(vhost.getValue()).address() + ":" + settings.terminatorPort);
        }
        return String.join(",", vhosts);
    }

    /** Runs {@code mpserver ARGS} with the hosts' class path; returns what it printed. */
    private String mpserver(final List<String> args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java", "-cp", settings.classPath, MainClasses.MPSERVER));
        command.addAll(args);
        return ShortCommand.run(command);
    }

    /** What the cluster is made of; {@link #start} makes it. */
    public static final class Builder
    {
        private final String classPath;
        private final Path workDir;
        private int hosts = 2;
        private int workers = 2;
        private int maxClients = 1000;
        private List<String> mpserverOptions = List.of();
        private List<String> haproxyConfigOptions = List.of();
        private Map<String, Integer> rtmpsVhosts = Map.of();
        private int terminatorPort = 8443;

        private Builder(final String classPath, final Path workDir)
        {
            this.classPath = classPath;
            this.workDir = workDir;
        }

        /** Hosts in the ring (default 2). */
        public Builder hosts(final int hosts)
        {
            if (hosts < 1 || hosts > PrivateSubnet.MAX_LINKS)
            {
                throw new IllegalArgumentException("hosts must be 1.." + PrivateSubnet.MAX_LINKS + ", got " + hosts);
            }
            this.hosts = hosts;
            return this;
        }

        /** mpserver --workers (and --max-workers) of each host (default 2). */
        public Builder workersPerHost(final int workers)
        {
            this.workers = workers;
            return this;
        }

        /** mpserver --max-clients of each host (default 1000); HAProxy's maxconn follows. */
        public Builder maxClients(final int maxClients)
        {
            this.maxClients = maxClients;
            return this;
        }

        /** More options for every host's mpserver. */
        public Builder mpserverOptions(final List<String> options)
        {
            this.mpserverOptions = List.copyOf(options);
            return this;
        }

        /** More options for {@code mpserver haproxy-config} (e.g. {@code --inspect-delay 1s}). */
        public Builder haproxyConfigOptions(final List<String> options)
        {
            this.haproxyConfigOptions = List.copyOf(options);
            return this;
        }

        /** RTMPS routed on SNI: vhost → the index of its host, whose TLS terminator listens on {@code terminatorPort}. */
        public Builder rtmpsVhosts(final Map<String, Integer> vhosts, final int terminatorPort)
        {
            this.rtmpsVhosts = new LinkedHashMap<>(vhosts);
            this.terminatorPort = terminatorPort;
            return this;
        }

        /** Makes the namespaces, starts the hosts and HAProxy, and waits until HAProxy shows every host up. */
        public MultiHostCluster start() throws IOException
        {
            final String reason = unavailableReason();
            if (null != reason)
            {
                throw new IllegalStateException("no multi-host cluster here: " + reason);
            }
            return new MultiHostCluster(this).launch();
        }
    }
}
