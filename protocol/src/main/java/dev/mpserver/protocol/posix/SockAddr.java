package dev.mpserver.protocol.posix;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * An IPv4 or IPv6 address and port as {@code connect(2)} takes it, built once from an
 * {@link InetSocketAddress} (for a client that connects to one server many times).
 *
 * <pre>
 *  struct sockaddr_in (16 bytes)
 *  +----------------+----------------+--------------------------------+
 *  | family = 2     | port (BE)      | addr (BE, 4 bytes)             |  @0
 *  +----------------+----------------+--------------------------------+
 *  | zero (8 bytes)                                                   |  @8
 *  +------------------------------------------------------------------+
 *
 *  struct sockaddr_in6 (28 bytes)
 *  +----------------+----------------+--------------------------------+
 *  | family = 10    | port (BE)      | flowinfo (4 bytes)             |  @0
 *  +----------------+----------------+--------------------------------+
 *  | addr (16 bytes, network order)                                   |  @8
 *  +------------------------------------------------------------------+
 *  | scope_id (4 bytes, host order)  |                                   @24
 *  +---------------------------------+
 * </pre>
 */
public final class SockAddr
{
    public static final short AF_INET6 = 10;
    public static final int IN6_SIZE = 28;
    public static final int IN6_FLOWINFO_OFFSET = 4;
    public static final int IN6_ADDR_OFFSET = 8;
    public static final int IN6_SCOPE_ID_OFFSET = 24;
    private static final int FAMILY_OFFSET = 0;
    private static final int PORT_OFFSET = 2;

    private final UnsafeBuffer memory = NativeMemory.allocate(IN6_SIZE);
    private final short family;
    private final int length;

    public SockAddr(final InetSocketAddress address)
    {
        if (address.isUnresolved())
        {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        memory.setMemory(0, IN6_SIZE, (byte)0);
        memory.putShort(PORT_OFFSET, (short)address.getPort(), ByteOrder.BIG_ENDIAN);
        if (address.getAddress() instanceof Inet4Address)
        {
            family = SockAddrIn.AF_INET;
            length = SockAddrIn.SIZE;
            memory.putBytes(SockAddrIn.ADDR_OFFSET, address.getAddress().getAddress());
        }
        else
        {
            family = AF_INET6;
            length = IN6_SIZE;
            memory.putBytes(IN6_ADDR_OFFSET, address.getAddress().getAddress());
            memory.putInt(IN6_SCOPE_ID_OFFSET, ((Inet6Address)address.getAddress()).getScopeId());
        }
        memory.putShort(FAMILY_OFFSET, family);
    }

    /** AF_INET or AF_INET6: the domain of a socket that connects here. */
    public int family()
    {
        return family;
    }

    public long address()
    {
        return memory.addressOffset();
    }

    /** socklen_t of the struct: 16 or 28. */
    public int length()
    {
        return length;
    }
}
