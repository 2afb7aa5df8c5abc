package dev.mpserver.protocol.posix;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct sockaddr_in} (16 bytes); port and address in network byte order.
 *
 * <pre>
 *  +----------------+----------------+--------------------------------+
 *  | sin_family (2) | sin_port (BE)  |     sin_addr (BE, 4 bytes)     |  @0
 *  +----------------+----------------+--------------------------------+
 *  |                      sin_zero (8 bytes)                          |  @8
 *  +------------------------------------------------------------------+
 * </pre>
 */
public final class SockAddrIn
{
    public static final int FAMILY_OFFSET = 0;
    public static final int PORT_OFFSET = FAMILY_OFFSET + Short.BYTES;
    public static final int ADDR_OFFSET = PORT_OFFSET + Short.BYTES;
    public static final int SIZE = 16;

    public static final short AF_UNIX = 1;
    public static final short AF_INET = 2;
    /** 127.0.0.1 in host order. */
    public static final int LOOPBACK = 0x7f000001;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE + Integer.BYTES);

    public SockAddrIn set(final int hostOrderAddress, final int port)
    {
        memory.setMemory(0, SIZE, (byte)0);
        memory.putShort(FAMILY_OFFSET, AF_INET);
        memory.putShort(PORT_OFFSET, (short)port, ByteOrder.BIG_ENDIAN);
        memory.putInt(ADDR_OFFSET, hostOrderAddress, ByteOrder.BIG_ENDIAN);
        return this;
    }

    public int port()
    {
        return memory.getShort(PORT_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    public int address4()
    {
        return memory.getInt(ADDR_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public long address()
    {
        return memory.addressOffset();
    }

    /** A socklen_t that getsockname/accept4 fill in, kept just past the struct. */
    public long lengthAddress()
    {
        memory.putInt(SIZE, SIZE);
        return memory.addressOffset() + SIZE;
    }

    /** Parses dotted IPv4 ("127.0.0.1") into host order. */
    public static int parseIpv4(final String dotted)
    {
        final String[] parts = dotted.split("\\.");
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + dotted);
        }
        int value = 0;
        for (final String part : parts)
        {
            final int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + dotted);
            }
            value = (value << 8) | octet;
        }
        return value;
    }
}
