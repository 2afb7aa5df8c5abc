package dev.mpserver.master.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.mpserver.master.haproxy.HostAddress;
import dev.mpserver.master.haproxy.HostLimits;
import dev.mpserver.master.haproxy.RtmpsRoutingSection;
import dev.mpserver.master.haproxy.ShardBalancerConfig;
import dev.mpserver.master.haproxy.TlsTerminatorConfig;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.cli.DurationConverter;
import dev.mpserver.protocol.launch.WorkerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver haproxy-config}: prints the HAProxy configuration that puts several mpserver hosts
 * behind one balancer with every shard on one host ({@link ShardBalancerConfig}), optionally with
 * RTMPS routed on SNI ({@link RtmpsRoutingSection}); or, with {@code --tls-terminator}, the TLS
 * terminator of one host ({@link TlsTerminatorConfig}).
 */
@Command(
    name = "haproxy-config",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    description = {
        "Print a commented HAProxy configuration (TCP mode) for several mpserver hosts behind one balancer: the client's 'C' shard id picks its host (crc32 of the 4 id bytes mod the number of hosts), the next hosts of the ring are that host's backups, health checks send 'I', and timeouts and maxconn follow the hosts' own settings. Check the result with 'haproxy -c -f FILE'.",
        "With --rtmp-vhosts, also route RTMPS on the TLS SNI (without terminating TLS) to the TLS terminator on each vhost's host. With --tls-terminator, print instead the TLS terminator of one host."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed", "2:bad options"})
public final class HaproxyConfigCommand implements Callable<Integer>
{
    static final String DEFAULT_BIND = "0.0.0.0:8935";
    static final String DEFAULT_TLS_BIND = "0.0.0.0:443";

    @Spec
    CommandSpec spec;

    @Option(names = "--hosts", required = true, split = ",", paramLabel = "HOST:PORT",
        description = "The mpserver hosts, comma-separated, in ring order: a shard's backups are the hosts after its own. "
            + "With --tls-terminator: the one local mpserver.")
    List<String> hosts;

    @Option(names = "--bind", paramLabel = "ADDR:PORT",
        description = "Where HAProxy listens (default " + DEFAULT_BIND + "; with --tls-terminator " + DEFAULT_TLS_BIND + ").")
    String bind;

    @Option(names = "--backups", defaultValue = "-1", paramLabel = "N",
        description = "Hosts after each host on the ring that take over its shards when it is down, the first one up first "
            + "(default: all the others).")
    int backups;

    @Option(names = "--max-workers", defaultValue = "" + ServerOptions.DEFAULT_MAX_WORKERS,
        description = "The hosts' mpserver --max-workers (default ${DEFAULT-VALUE}): sizes maxconn.")
    int maxWorkers;

    @Option(names = "--max-clients", defaultValue = "" + WorkerOptions.MAX_CLIENTS_FROM_FD_LIMIT, paramLabel = "N",
        description = "The hosts' mpserver --max-clients: sizes maxconn. Default: what mpserver picks under this machine's "
            + "fd limit (RLIMIT_NOFILE's hard limit); give the hosts' own when their limit differs.")
    int maxClients;

    @Option(names = "--idle-timeout", defaultValue = "60s", converter = DurationConverter.class,
        description = "The hosts' mpserver --idle-timeout (default ${DEFAULT-VALUE}): HAProxy's timeouts are 10s longer.")
    Duration idleTimeout;

    @Option(names = "--maxconn", defaultValue = "0",
        description = "HAProxy's global maxconn (default: none, HAProxy takes what its fd limit allows).")
    long maxconn;

    @Option(names = "--inspect-delay", defaultValue = "5s", converter = DurationConverter.class,
        description = "How long HAProxy waits for a client's first frame, 'C' or TLS ClientHello (default ${DEFAULT-VALUE}).")
    Duration inspectDelay;

    @Option(names = "--stats-socket", paramLabel = "PATH", description = "Also open HAProxy's stats socket here (admin level).")
    String statsSocket;

    @Option(names = "--log-connections",
        description = "Log every connection (with the client's address), not only hosts going down and up.")
    boolean logConnections;

    @Option(names = "--rtmp-vhosts", split = ",", paramLabel = "VHOST=HOST:PORT",
        description = "Route RTMPS on SNI: each vhost to the TLS terminator (HOST:PORT) on its host, comma-separated.")
    List<String> rtmpVhosts;

    @Option(names = "--rtmps-bind", defaultValue = DEFAULT_TLS_BIND, paramLabel = "ADDR:PORT",
        description = "Where HAProxy listens for RTMPS with --rtmp-vhosts (default ${DEFAULT-VALUE}).")
    String rtmpsBind;

    @Option(names = "--tls-terminator", paramLabel = "CRT",
        description = "Print the TLS terminator of one host instead: TLS on --bind with this PEM file (or directory of them, "
            + "one per vhost), the plain stream to the mpserver of --hosts.")
    String tlsTerminator;

    @Override
    public Integer call()
    {
        final CommandLine cli = spec.commandLine();
        final List<HostAddress> addresses = new ArrayList<>();
        for (final String host : hosts)
        {
            final HostAddress address = parse("--hosts", host);
            if (addresses.contains(address))
            {
                throw new CommandLine.ParameterException(cli, "--hosts names " + address + " twice");
            }
            addresses.add(address);
        }
        final HostLimits limits;
        try
        {
            limits = new HostLimits(maxWorkers, maxClients == WorkerOptions.MAX_CLIENTS_FROM_FD_LIMIT
                ? WorkerConfig.defaultMaxClients(ServerOptions.fdLimit()) : maxClients, idleTimeout.toMillis());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(cli, ex.getMessage());
        }
        final String commandLine = "mpserver " + String.join(" ", cli.getParseResult().originalArgs());
        if (null != tlsTerminator)
        {
            if (addresses.size() != 1 || null != rtmpVhosts)
            {
                throw new CommandLine.ParameterException(cli, "--tls-terminator takes exactly one --hosts (its local mpserver) "
                    + "and no --rtmp-vhosts");
            }
            cli.getOut().print(TlsTerminatorConfig.render(parse("--bind", null != bind ? bind : DEFAULT_TLS_BIND), tlsTerminator,
                addresses.get(0), limits, commandLine));
            cli.getOut().flush();
            return 0;
        }
        final int backupCount = backups < 0 ? addresses.size() - 1 : backups;
        final RtmpsRoutingSection rtmps = null == rtmpVhosts ? null :
            new RtmpsRoutingSection(vhosts(cli), parse("--rtmps-bind", rtmpsBind), backupCount, inspectDelay.toMillis());
        final ShardBalancerConfig.Settings settings;
        try
        {
            settings = new ShardBalancerConfig.Settings(addresses, parse("--bind", null != bind ? bind : DEFAULT_BIND), backupCount,
                limits, maxconn, inspectDelay.toMillis(), statsSocket, logConnections, rtmps, commandLine);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(cli, ex.getMessage());
        }
        cli.getOut().print(ShardBalancerConfig.render(settings));
        cli.getOut().flush();
        return 0;
    }

    private Map<String, HostAddress> vhosts(final CommandLine cli)
    {
        final Map<String, HostAddress> map = new LinkedHashMap<>();
        for (final String entry : rtmpVhosts)
        {
            final int equals = entry.indexOf('=');
            final String name = equals > 0 ? entry.substring(0, equals).trim().toLowerCase(Locale.ROOT) : "";
            if (!name.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?"))
            {
                throw new CommandLine.ParameterException(cli, "--rtmp-vhosts: '" + entry + "' is not VHOST=HOST:PORT with a DNS name as VHOST");
            }
            if (null != map.put(name, parse("--rtmp-vhosts", entry.substring(equals + 1))))
            {
                throw new CommandLine.ParameterException(cli, "--rtmp-vhosts names " + name + " twice");
            }
        }
        return map;
    }

    private HostAddress parse(final String option, final String text)
    {
        try
        {
            return HostAddress.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + ex.getMessage());
        }
    }
}
