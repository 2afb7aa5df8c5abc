package dev.mpserver.loadgen.multihost;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A "host" on this machine: a network namespace of its own, joined to the root namespace by a veth
 * pair whose two ends carry one /30 link of a {@link PrivateSubnet}. Nothing else of the machine's
 * network is touched; deleting the namespace deletes the pair with it.
 *
 * <pre>
 *   root namespace                         namespace NAME
 *   ROOT_VETH  10.213.X.(4i+1)/30  ◀────▶  HOST_VETH  10.213.X.(4i+2)/30,  lo up
 * </pre>
 *
 * The namespace shares this machine's pid namespace and file systems: a process started in it has
 * the same pid everywhere, and its run directory is an ordinary directory.
 */
public final class NetnsHost implements AutoCloseable
{
    private final String name;
    private final String address;
    private boolean deleted;

    private NetnsHost(final String name, final String address)
    {
        this.name = name;
        this.address = address;
    }

    /**
     * @param name     the namespace's name (unique per run).
     * @param rootVeth the root namespace's end of the pair (at most 15 characters).
     * @param hostVeth the host's end, moved into the namespace.
     */
    static NetnsHost create(final String name, final String rootVeth, final String hostVeth, final PrivateSubnet subnet,
        final int link) throws IOException
    {
        ShortCommand.run(List.of("ip", "netns", "add", name));
        final NetnsHost host = new NetnsHost(name, subnet.hostAddress(link));
        try
        {
            final String prefix = "/" + PrivateSubnet.LINK_PREFIX_LENGTH;
            ShortCommand.run(List.of("ip", "link", "add", rootVeth, "type", "veth", "peer", "name", hostVeth, "netns", name));
            ShortCommand.run(List.of("ip", "addr", "add", subnet.rootAddress(link) + prefix, "dev", rootVeth));
            ShortCommand.run(List.of("ip", "link", "set", rootVeth, "up"));
            ShortCommand.run(List.of("ip", "-n", name, "addr", "add", host.address + prefix, "dev", hostVeth));
            ShortCommand.run(List.of("ip", "-n", name, "link", "set", hostVeth, "up"));
            ShortCommand.run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
            return host;
        }
        catch (final IOException ex)
        {
            host.close();
            throw ex;
        }
    }

    public String name()
    {
        return name;
    }

    /** The host's address, inside its namespace. */
    public String address()
    {
        return address;
    }

    /** {@code command} as run inside the namespace ({@code ip netns exec} execs it: same pid). */
    public List<String> inside(final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Deletes the namespace, and with it the veth pair; the processes in it must be gone first. */
    @Override
    public void close()
    {
        if (!deleted)
        {
            deleted = true;
            ShortCommand.succeeds(List.of("ip", "netns", "del", name));
        }
    }

    @Override
    public String toString()
    {
        return name + "(" + address + ")";
    }
}
