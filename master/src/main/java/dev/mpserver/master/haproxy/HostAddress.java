package dev.mpserver.master.haproxy;

import java.util.regex.Pattern;

/**
 * One {@code HOST:PORT} of a balancer's configuration: an IPv4 address or a DNS name (HAProxy
 * resolves names when it starts), and a TCP port.
 *
 * @param host IPv4 address or DNS name, as given.
 * @param port 1..65535.
 */
public record HostAddress(String host, int port)
{
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final int MAX_PORT = 65535;

    public HostAddress
    {
        if (null == host || !NAME.matcher(host).matches())
        {
            throw new IllegalArgumentException("'" + host + "' is not an IPv4 address or DNS name");
        }
        if (port < 1 || port > MAX_PORT)
        {
            throw new IllegalArgumentException("port " + port + " is not in 1.." + MAX_PORT);
        }
    }

    /** @throws IllegalArgumentException saying what is wrong with {@code text} */
    public static HostAddress parse(final String text)
    {
        final String value = text.trim();
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon != value.indexOf(':'))
        {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
        }
        final int port;
        try
        {
            port = Integer.parseInt(value.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("'" + text + "' has no numeric port");
        }
        return new HostAddress(value.substring(0, colon), port);
    }

    @Override
    public String toString()
    {
        return host + ":" + port;
    }
}
