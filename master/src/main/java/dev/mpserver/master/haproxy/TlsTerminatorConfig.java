package dev.mpserver.master.haproxy;

/**
 * The TLS terminator of one mpserver host, as HAProxy: TLS in (RTMPS, or 'C' clients over TLS), the
 * plain byte stream out to that host's mpserver. mpserver itself does not speak TLS. The
 * certificate file (or a directory of them, one per vhost, chosen by SNI) is HAProxy's {@code crt}.
 */
public final class TlsTerminatorConfig
{
    private TlsTerminatorConfig()
    {
    }

    /**
     * @param bind        where the terminator listens for TLS.
     * @param certificate PEM file with certificate and key, or a directory of them.
     * @param mpserver    the host's mpserver.
     * @param limits      the host's mpserver settings.
     * @param commandLine the command that printed the file.
     */
    public static String render(final HostAddress bind, final String certificate, final HostAddress mpserver,
        final HostLimits limits, final String commandLine)
    {
        final String timeout = HaproxyText.duration(limits.balancerTimeoutMs());
        final StringBuilder out = new StringBuilder(2048);
        out.append("# TLS terminator of one mpserver host: TLS clients in, the plain stream out to its mpserver.\n");
        out.append("# Printed by: ").append(commandLine).append('\n');
        out.append("# Check it with: haproxy -c -f FILE (HAProxy 2.6 or later).\n");
        out.append("# Sizing as for the balancer: the host takes maxconn ").append(limits.capacity()).append(" (--max-workers ")
            .append(limits.maxWorkers()).append(" x\n# --max-clients ").append(limits.maxClients())
            .append("); HAProxy's own maximum follows its fd limit. Timeouts: --idle-timeout + ")
            .append(HaproxyText.duration(HostLimits.IDLE_MARGIN_MS)).append(" = ").append(timeout)
            .append(",\n# so that mpserver ends idle clients itself.\n\n");
        out.append("global\n");
        out.append("    log stderr format short local0 notice\n\n");
        out.append("defaults\n");
        out.append("    mode tcp\n");
        out.append("    log global\n");
        out.append("    option tcplog\n");
        out.append("    timeout connect ").append(HaproxyText.duration(ShardBalancerConfig.CONNECT_TIMEOUT_MS)).append('\n');
        out.append("    timeout client ").append(timeout).append('\n');
        out.append("    timeout server ").append(timeout).append("\n\n");
        out.append("frontend tls\n");
        out.append("    bind ").append(bind).append(" ssl crt ").append(certificate).append('\n');
        out.append("    default_backend mpserver\n\n");
        out.append("backend mpserver\n");
        out.append("    server local ").append(mpserver).append(" maxconn ").append(limits.capacity()).append('\n');
        return out.toString();
    }
}
