package dev.mpserver.loadgen.multihost;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private /24 for namespaced hosts that no route or address of this machine touches, cut into
 * point-to-point /30 links, one per host:
 *
 * <pre>
 *   10.213.X.0/24       X chosen at random among the free ones
 *   link i: 10.213.X.(4i)/30
 *           .(4i+1)  the root namespace's end of host i's veth pair (the balancer's source address)
 *           .(4i+2)  host i's end, inside its namespace (where its mpserver listens)
 * </pre>
 */
public final class PrivateSubnet
{
    /** 10.213.0.0/16: private (RFC 1918) and, for a test network, unlikely to be in use. */
    private static final int FIRST_OCTET = 10;
    private static final int SECOND_OCTET = 213;
    private static final int THIRD_OCTETS = 256;
    private static final int LINK_SIZE = 4;
    public static final int LINK_PREFIX_LENGTH = 30;
    public static final int MAX_LINKS = 256 / LINK_SIZE;
    private static final Pattern PREFIX = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)(?:/(\\d+))?");

    private final int third;

    private PrivateSubnet(final int third)
    {
        this.third = third;
    }

    /** Picks a /24 of 10.213.0.0/16 that no route (any table) and no address of the root namespace overlaps. */
    public static PrivateSubnet pickFree(final long seed) throws IOException
    {
        final List<int[]> used = new ArrayList<>();
        collect(ShortCommand.run(List.of("ip", "-4", "route", "show", "table", "all")), used);
        collect(ShortCommand.run(List.of("ip", "-4", "-o", "addr", "show")), used);
        final SplittableRandom random = new SplittableRandom(seed);
        final int start = random.nextInt(THIRD_OCTETS);
        for (int i = 0; i < THIRD_OCTETS; i++)
        {
            final int third = (start + i) % THIRD_OCTETS;
            final long network = address(FIRST_OCTET, SECOND_OCTET, third, 0);
            boolean free = true;
            for (final int[] prefix : used)
            {
                free &= !overlaps(network, 24, address(prefix[0], prefix[1], prefix[2], prefix[3]), prefix[4]);
            }
            if (free)
            {
                return new PrivateSubnet(third);
            }
        }
        throw new IOException("no free /24 in 10.213.0.0/16: every one is routed on this machine");
    }

    /** The root namespace's end of link {@code link}. */
    public String rootAddress(final int link)
    {
        return address(link, 1);
    }

    /** The host's end of link {@code link}, inside its namespace. */
    public String hostAddress(final int link)
    {
        return address(link, 2);
    }

    @Override
    public String toString()
    {
        return FIRST_OCTET + "." + SECOND_OCTET + "." + third + ".0/24";
    }

    private String address(final int link, final int offset)
    {
        if (link < 0 || link >= MAX_LINKS)
        {
            throw new IllegalArgumentException("link " + link + " is not in 0.." + (MAX_LINKS - 1));
        }
        return FIRST_OCTET + "." + SECOND_OCTET + "." + third + "." + (link * LINK_SIZE + offset);
    }

    private static void collect(final String output, final List<int[]> prefixes)
    {
        for (final String line : output.split("\n"))
        {
            final Matcher m = PREFIX.matcher(line);
            while (m.find())
            {
                final int length = null == m.group(5) ? 32 : Integer.parseInt(m.group(5));
                if (length > 0) // a default route overlaps everything and decides nothing here
                {
                    prefixes.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                        Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)), length});
                }
            }
        }
    }

    private static long address(final int a, final int b, final int c, final int d)
    {
        return ((long)a << 24) | ((long)b << 16) | ((long)c << 8) | d;
    }

    private static boolean overlaps(final long a, final int aLength, final long b, final int bLength)
    {
        final int shorter = Math.min(aLength, bLength);
        final long mask = shorter == 0 ? 0 : (0xFFFF_FFFFL << (32 - shorter)) & 0xFFFF_FFFFL;
        return (a & mask) == (b & mask);
    }
}
