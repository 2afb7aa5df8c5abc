package dev.mpserver.master.haproxy;

import java.util.List;

import dev.mpserver.protocol.wire.WireProtocol;

/**
 * The HAProxy configuration that {@code mpserver haproxy-config} prints: one TCP frontend that
 * sends every client of a shard to the same mpserver host, one backend per host with the next hosts
 * of the ring as backups, 'I' health checks, and timeouts and limits derived from the hosts' own
 * settings. Every decision is explained in the text itself, for whoever reads the file later.
 */
public final class ShardBalancerConfig
{
    /** Connect timeout: a lost SYN is sent again after 1 s, so one loss is not yet a failure. */
    public static final long CONNECT_TIMEOUT_MS = 3000;
    /** Health checks: every second; every 250 ms while a host is failing or coming back. */
    public static final long CHECK_INTERVAL_MS = 1000;
    public static final long CHECK_FAST_INTERVAL_MS = 250;
    /** How long a host may take to answer the check's 'I'. */
    public static final long CHECK_TIMEOUT_MS = 2000;
    /** Consecutive failed checks that mark a host down; good ones that mark it up again. */
    public static final int CHECK_FALL = 2;
    public static final int CHECK_RISE = 2;
    /** Connection attempts after the first; each one may go to the next host that is up. */
    public static final int RETRIES = 3;
    /** About two file descriptors per proxied connection (client side, server side). */
    public static final int FDS_PER_CONNECTION = 2;

    static final String FRONTEND = "mpserver";
    static final String ANY_HOST_BACKEND = "mpserver_any";
    static final String HOST_VARIABLE = "sess.mpserver_host";

    /**
     * What to print.
     *
     * @param hosts          the mpserver hosts, in ring order.
     * @param bind           where HAProxy listens for clients.
     * @param backups        how many of the following hosts back each host up (1..hosts-1).
     * @param limits         the hosts' mpserver settings.
     * @param maxconn        HAProxy's global maxconn; 0 = none: HAProxy derives it from its fd limit.
     * @param inspectDelayMs how long to wait for a client's first 5 bytes.
     * @param statsSocket    a path for HAProxy's stats socket, or null for none.
     * @param logConnections log every connection (syslog level "info"), not only the hosts' state changes.
     * @param rtmps          the RTMPS section, or null for none.
     * @param commandLine    the command that printed the file, for its header.
     */
    public record Settings(
        List<HostAddress> hosts,
        HostAddress bind,
        int backups,
        HostLimits limits,
        long maxconn,
        long inspectDelayMs,
        String statsSocket,
        boolean logConnections,
        RtmpsRoutingSection rtmps,
        String commandLine)
    {
        public Settings
        {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty())
            {
                throw new IllegalArgumentException("at least one host is needed");
            }
            if (backups < 0 || backups > hosts.size() - 1)
            {
                throw new IllegalArgumentException("--backups must be 0.." + (hosts.size() - 1) + " with " + hosts.size() + " hosts");
            }
            if (maxconn < 0 || inspectDelayMs < 1)
            {
                throw new IllegalArgumentException("--maxconn must not be negative, --inspect-delay must be positive");
            }
        }
    }

    private ShardBalancerConfig()
    {
    }

    public static String render(final Settings settings)
    {
        final StringBuilder out = new StringBuilder(8192);
        header(out, settings);
        global(out, settings);
        defaults(out, settings);
        frontend(out, settings);
        for (int host = 0; host < settings.hosts().size(); host++)
        {
            hostBackend(out, settings, host);
        }
        anyHostBackend(out, settings);
        if (null != settings.rtmps())
        {
            settings.rtmps().render(out, settings.limits());
        }
        return out.toString();
    }

    /** The name of host {@code index}'s backend, which is also its server name's prefix. */
    public static String backendName(final int host)
    {
        return "mpserver_" + serverName(host);
    }

    public static String serverName(final int host)
    {
        return "h" + host;
    }

    private static void header(final StringBuilder out, final Settings s)
    {
        final int n = s.hosts().size();
        final HostLimits limits = s.limits();
        final long capacity = limits.capacity();
        final String inspect = HaproxyText.duration(s.inspectDelayMs());
        out.append("# HAProxy in front of ").append(n).append(" mpserver host").append(n == 1 ? "" : "s")
            .append(": every client of a shard reaches the same host.\n");
        out.append("# Printed by: ").append(s.commandLine()).append('\n');
        out.append("# Check it with: haproxy -c -f FILE (HAProxy 2.6 or later).\n");
        out.append("#\n");
        out.append("# ROUTING. A client's first frame is 'C' (0x43) and its shard id, an int32 in little-endian\n");
        out.append("# byte order. The frontend waits for those ").append(WireProtocol.CONTROL_FRAME_LENGTH)
            .append(" bytes and sends the client to the host\n");
        out.append("#     crc32(the 4 id bytes as sent) mod ").append(n).append("        (req.payload(1,4),crc32,mod(").append(n).append("))\n");
        out.append("# counted from 0 in the order of --hosts. The id alone fixes the host, so all clients of a\n");
        out.append("# shard meet on one host, where mpserver keeps them on one worker.\n");
        out.append("# Not \"balance hash req.payload(1,4)\": in TCP mode HAProxy runs a backend's \"balance\" after the\n");
        out.append("# client's bytes were scheduled for forwarding, req.payload then finds no input, and \"balance\n");
        out.append("# hash\" silently falls back to round robin, splitting shards across hosts (seen with 2.6.12;\n");
        out.append("# the code is unchanged up to 3.5-dev). Choosing the backend in the frontend has no such gap.\n");
        out.append("# A client whose first byte is not 'C' names no shard: it is passed on at once, to the least\n");
        out.append("# busy host that is up. A client that sends fewer than 5 bytes of a 'C' frame (or nothing)\n");
        out.append("# within ").append(inspect).append(" is closed.\n");
        out.append("#\n");
        failover(out, s);
        out.append("#\n");
        out.append("# SIZING, from the hosts' mpserver settings (--max-workers ").append(limits.maxWorkers())
            .append(", --max-clients ").append(limits.maxClients()).append(", --idle-timeout ")
            .append(HaproxyText.duration(limits.idleTimeoutMs())).append("):\n");
        out.append("#   one host serves at most ").append(limits.maxWorkers()).append(" x ").append(limits.maxClients()).append(" = ")
            .append(capacity).append(" clients: maxconn ").append(capacity).append(" per server, so HAProxy\n");
        out.append("#     never queues a client its host could take (beyond that mpserver answers 'E' 2 itself);\n");
        if (s.maxconn() > 0)
        {
            out.append("#   global maxconn ").append(s.maxconn()).append(" (--maxconn; all hosts together could take ")
                .append(n * capacity).append("); HAProxy needs about\n");
            out.append("#     ").append(FDS_PER_CONNECTION).append(" file descriptors per connection (")
                .append(FDS_PER_CONNECTION * s.maxconn()).append(") and refuses to start when it cannot raise\n");
            out.append("#     RLIMIT_NOFILE that far;\n");
        }
        else
        {
            out.append("#   no global maxconn: HAProxy takes what its own fd limit allows (about ulimit -n / ")
                .append(FDS_PER_CONNECTION).append(", one fd\n");
            out.append("#     for the client and one for the host), so it starts wherever it runs; all hosts together\n");
            out.append("#     could take ").append(n).append(" x ").append(capacity).append(" = ").append(n * capacity)
                .append(" (--maxconn sets it, and HAProxy then needs the fds for it);\n");
        }
        out.append("#   timeout client/server ").append(HaproxyText.duration(limits.idleTimeoutMs())).append(" + ")
            .append(HaproxyText.duration(HostLimits.IDLE_MARGIN_MS)).append(" = ").append(HaproxyText.duration(limits.balancerTimeoutMs()))
            .append(": an idle client gets mpserver's 'E' 4 first;\n");
        out.append("#   timeout connect ").append(HaproxyText.duration(CONNECT_TIMEOUT_MS))
            .append(": one lost SYN (sent again after 1s) is not yet a failure.\n");
        out.append("# mpserver sees HAProxy's address as every client's address (it does not read the PROXY\n");
        out.append("# protocol); HAProxy logs the clients' addresses with --log-connections.\n\n");
    }

    private static void failover(final StringBuilder out, final Settings s)
    {
        out.append("# FAILOVER. A host is marked down after ").append(CHECK_FALL)
            .append(" failed checks (connect, send 'I', expect the 17-byte\n");
        out.append("# 'I' reply; every ").append(HaproxyText.duration(CHECK_INTERVAL_MS)).append(", every ")
            .append(HaproxyText.duration(CHECK_FAST_INTERVAL_MS)).append(" as soon as a client's connection to it fails)");
        if (s.backups() == 0)
        {
            out.append(".\n# No host backs another one up (--backups 0): while a host is down, its shards' clients are\n");
            out.append("# closed; once it is marked up again (").append(CHECK_RISE).append(" good checks) they reach it.\n");
            return;
        }
        out.append(". Each\n# host's backend lists the ").append(s.backups() == 1 ? "next host of the ring as its backup"
            : "next " + s.backups() + " hosts of the ring as its backups").append(" (").append(ringExample(s.hosts().size())).append(").\n");
        out.append("# While a host is down, its shards' new clients go to the first of its backups that is up, and\n");
        out.append("# so does every client whose connection to it failed meanwhile (option redispatch: retried\n");
        out.append("# there after 1s). The clients connected to the lost host lose their connection, and HAProxy\n");
        out.append("# closes those it still had to it when it marks it down (on-marked-down shutdown-sessions: a\n");
        out.append("# host that died without a word would leave them hanging), including a client it was\n");
        out.append("# connecting to it at that very moment, if any. Nobody else notices.\n");
        out.append("# When the host is marked up again (").append(CHECK_RISE)
            .append(" good checks), its shards come back: new clients go to it, and\n");
        out.append("# HAProxy closes the clients it had sent to a backup for them (on-marked-up\n");
        out.append("# shutdown-backup-sessions); they reconnect, to it. So a shard is never served by two hosts\n");
        out.append("# for longer than the instant between that check and that close.\n");
    }

    private static String ringExample(final int n)
    {
        final StringBuilder ring = new StringBuilder();
        for (int host = 0; host < Math.min(n, 3); host++)
        {
            ring.append(serverName(host)).append(" -> ");
        }
        return ring.append(n > 3 ? "... -> " : "").append(serverName(0)).toString();
    }

    private static void global(final StringBuilder out, final Settings s)
    {
        out.append("global\n");
        if (s.maxconn() > 0)
        {
            out.append("    maxconn ").append(s.maxconn()).append('\n');
        }
        out.append("    # state changes of hosts at \"notice\"; \"info\" also logs every connection (--log-connections)\n");
        out.append("    log stderr format short local0 ").append(s.logConnections() ? "info" : "notice").append('\n');
        if (null != s.statsSocket())
        {
            out.append("    # \"show stat\" / \"show servers state\": which hosts are up\n");
            out.append("    stats socket ").append(s.statsSocket()).append(" mode 600 level admin\n");
        }
        out.append('\n');
    }

    private static void defaults(final StringBuilder out, final Settings s)
    {
        final String timeout = HaproxyText.duration(s.limits().balancerTimeoutMs());
        out.append("defaults\n");
        out.append("    mode tcp\n");
        out.append("    log global\n");
        out.append("    option tcplog\n");
        out.append("    option redispatch 1\n");
        out.append("    retries ").append(RETRIES).append('\n');
        out.append("    timeout connect ").append(HaproxyText.duration(CONNECT_TIMEOUT_MS)).append('\n');
        out.append("    timeout client ").append(timeout).append('\n');
        out.append("    timeout server ").append(timeout).append('\n');
        out.append("    timeout check ").append(HaproxyText.duration(CHECK_TIMEOUT_MS)).append('\n');
        out.append("    default-server inter ").append(HaproxyText.duration(CHECK_INTERVAL_MS))
            .append(" fastinter ").append(HaproxyText.duration(CHECK_FAST_INTERVAL_MS))
            .append(" downinter ").append(HaproxyText.duration(CHECK_INTERVAL_MS))
            .append(" fall ").append(CHECK_FALL).append(" rise ").append(CHECK_RISE)
            .append(" maxconn ").append(s.limits().capacity()).append(" on-marked-down shutdown-sessions\n\n");
    }

    private static void frontend(final StringBuilder out, final Settings s)
    {
        final int n = s.hosts().size();
        final String isControl = "{ req.payload(" + WireProtocol.TYPE_OFFSET + "," + WireProtocol.TYPE_LENGTH + ") -m bin "
            + HaproxyText.hex(WireProtocol.CONTROL) + " }";
        out.append("frontend ").append(FRONTEND).append('\n');
        out.append("    bind ").append(s.bind()).append('\n');
        out.append("    tcp-request inspect-delay ").append(HaproxyText.duration(s.inspectDelayMs())).append('\n');
        out.append("    # 'C' and its 4 id bytes are there: the host of the shard\n");
        out.append("    tcp-request content set-var(").append(HOST_VARIABLE).append(") req.payload(")
            .append(WireProtocol.CONTROL_SHARD_ID_OFFSET).append(',').append(Integer.BYTES).append("),crc32,mod(").append(n)
            .append(") if ").append(isControl).append(" { req.len ge ").append(WireProtocol.CONTROL_FRAME_LENGTH).append(" }\n");
        out.append("    tcp-request content accept if { var(").append(HOST_VARIABLE).append(") -m found }\n");
        out.append("    # the first byte is not 'C': no shard named, any host will do\n");
        out.append("    tcp-request content accept if { req.len ge 1 } !").append(isControl).append('\n');
        out.append("    # the inspect delay ran out on part of a 'C' frame, or on nothing\n");
        out.append("    tcp-request content reject\n");
        for (int host = 0; host < n; host++)
        {
            out.append("    use_backend ").append(backendName(host)).append(" if { var(").append(HOST_VARIABLE).append(") -m int ")
                .append(host).append(" }\n");
        }
        out.append("    default_backend ").append(ANY_HOST_BACKEND).append("\n\n");
    }

    private static void hostBackend(final StringBuilder out, final Settings s, final int host)
    {
        final ShardRing ring = new ShardRing(s.hosts().size());
        out.append("backend ").append(backendName(host)).append('\n');
        out.append("    # shards with crc32(id) mod ").append(ring.hosts()).append(" = ").append(host);
        if (s.backups() > 0)
        {
            out.append("; while ").append(serverName(host)).append(" is down, the first of its backups that is up");
        }
        out.append('\n');
        HaproxyText.identifyCheck(out, "    ");
        out.append("    server ").append(serverName(host)).append(' ').append(s.hosts().get(host))
            .append(" check observe layer4 error-limit 1 on-error fastinter on-marked-up shutdown-backup-sessions\n");
        for (int rank = 1; rank <= s.backups(); rank++)
        {
            final int backup = ring.backup(host, rank);
            out.append("    server ").append(serverName(backup)).append(' ').append(s.hosts().get(backup))
                .append(" backup track ").append(backendName(backup)).append('/').append(serverName(backup)).append('\n');
        }
        out.append('\n');
    }

    private static void anyHostBackend(final StringBuilder out, final Settings s)
    {
        out.append("backend ").append(ANY_HOST_BACKEND).append('\n');
        out.append("    # clients that name no shard; each host's state is its own backend's check\n");
        out.append("    balance leastconn\n");
        for (int host = 0; host < s.hosts().size(); host++)
        {
            out.append("    server ").append(serverName(host)).append(' ').append(s.hosts().get(host))
                .append(" track ").append(backendName(host)).append('/').append(serverName(host)).append('\n');
        }
    }
}
