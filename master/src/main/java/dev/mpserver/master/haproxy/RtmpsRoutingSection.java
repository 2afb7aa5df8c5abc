package dev.mpserver.master.haproxy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RTMP across hosts: every vhost lives on one host, named by the operator. Plain RTMP names its
 * vhost only in {@code connect}, after the server has answered the handshake, so no L4 balancer
 * can route it: the vhost's DNS name points at its host. RTMPS names it in the TLS ClientHello
 * (SNI), so HAProxy routes RTMPS on it without terminating TLS, to a TLS terminator on the
 * vhost's host ({@link TlsTerminatorConfig}), which hands the plain stream to that host's mpserver.
 */
public final class RtmpsRoutingSection
{
    static final String FRONTEND = "rtmps";

    private final Map<String, HostAddress> vhosts;
    private final HostAddress bind;
    private final List<HostAddress> terminators;
    private final int backups;
    private final long inspectDelayMs;

    /**
     * @param vhosts         vhost name → its host's TLS terminator, in the order given.
     * @param bind           where HAProxy listens for RTMPS.
     * @param backups        how many of the following terminators back each one up (capped by their number).
     * @param inspectDelayMs how long to wait for the ClientHello.
     */
    public RtmpsRoutingSection(final Map<String, HostAddress> vhosts, final HostAddress bind, final int backups,
        final long inspectDelayMs)
    {
        if (vhosts.isEmpty())
        {
            throw new IllegalArgumentException("no vhosts");
        }
        this.vhosts = Collections.unmodifiableMap(new LinkedHashMap<>(vhosts));
        this.bind = bind;
        final List<HostAddress> distinct = new ArrayList<>();
        for (final HostAddress terminator : vhosts.values())
        {
            if (!distinct.contains(terminator))
            {
                distinct.add(terminator);
            }
        }
        this.terminators = List.copyOf(distinct);
        this.backups = Math.min(backups, terminators.size() - 1);
        this.inspectDelayMs = inspectDelayMs;
    }

    public static String backendName(final int terminator)
    {
        return "rtmps_" + serverName(terminator);
    }

    public static String serverName(final int terminator)
    {
        return "t" + terminator;
    }

    /** The terminators, in the order of their first vhost: index i is backend {@link #backendName(int)}. */
    public List<HostAddress> terminators()
    {
        return terminators;
    }

    void render(final StringBuilder out, final HostLimits limits)
    {
        out.append('\n');
        out.append("# RTMP ACROSS HOSTS. A vhost lives on one host (--rtmp-vhosts); mpserver keeps it on one worker there.\n");
        out.append("# Plain RTMP names the vhost only in 'connect', after the server answered the handshake, so no\n");
        out.append("# L4 balancer can route it: give each vhost's DNS name the address of its host.\n");
        for (final Map.Entry<String, HostAddress> vhost : vhosts.entrySet())
        {
            out.append("#     ").append(vhost.getKey()).append(".  A  ").append(vhost.getValue().host()).append('\n');
        }
        out.append("# RTMPS names the vhost in its TLS ClientHello (SNI): this frontend routes on it without\n");
        out.append("# terminating TLS, to the TLS terminator on the vhost's host (mpserver does not speak TLS;\n");
        out.append("# mpserver haproxy-config --tls-terminator prints one), then to the next terminators that are\n");
        out.append("# up, which must hold the vhost's certificate too. A ClientHello naming another name (or none)\n");
        out.append("# is closed, and so is anything that is no ClientHello within the inspect delay.\n");
        out.append("frontend ").append(FRONTEND).append('\n');
        out.append("    bind ").append(bind).append('\n');
        out.append("    tcp-request inspect-delay ").append(HaproxyText.duration(inspectDelayMs)).append('\n');
        out.append("    tcp-request content reject if { req.ssl_hello_type 1 } !{ req.ssl_sni -i")
            .append(names(new ArrayList<>(vhosts.keySet()))).append(" }\n");
        out.append("    tcp-request content accept if { req.ssl_hello_type 1 }\n");
        out.append("    tcp-request content reject\n");
        for (int t = 0; t < terminators.size(); t++)
        {
            final List<String> names = new ArrayList<>();
            for (final Map.Entry<String, HostAddress> vhost : vhosts.entrySet())
            {
                if (vhost.getValue().equals(terminators.get(t)))
                {
                    names.add(vhost.getKey());
                }
            }
            out.append("    use_backend ").append(backendName(t)).append(" if { req.ssl_sni -i").append(names(names)).append(" }\n");
        }
        for (int t = 0; t < terminators.size(); t++)
        {
            out.append('\n');
            out.append("backend ").append(backendName(t)).append('\n');
            out.append("    # the check is a TLS handshake with the terminator (its certificate is not verified)\n");
            out.append("    server ").append(serverName(t)).append(' ').append(terminators.get(t))
                .append(" check check-ssl verify none observe layer4 error-limit 1 on-error fastinter")
                .append(" on-marked-up shutdown-backup-sessions\n");
            for (int rank = 1; rank <= backups; rank++)
            {
                final int backup = (t + rank) % terminators.size();
                out.append("    server ").append(serverName(backup)).append(' ').append(terminators.get(backup))
                    .append(" backup track ").append(backendName(backup)).append('/').append(serverName(backup)).append('\n');
            }
        }
    }

    private static String names(final List<String> names)
    {
        final StringBuilder text = new StringBuilder();
        for (final String name : names)
        {
            text.append(' ').append(name);
        }
        return text.toString();
    }
}
