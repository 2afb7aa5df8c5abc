package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A preallocated {@code struct msghdr} with one {@code iovec} and a control buffer, reused for
 * every sendmsg/recvmsg on one socket, so that passing a file descriptor allocates nothing.
 *
 * <pre>
 * struct msghdr (56 bytes)                       struct iovec (16 bytes)
 *  +--------------------------------+ @0          +--------------------------------+ @0
 *  | msg_name (unused: 0)           |             | iov_base                       |
 *  +----------------+---------------+ @8          +--------------------------------+ @8
 *  | msg_namelen    |   padding     |             | iov_len                        |
 *  +----------------+---------------+ @16         +--------------------------------+
 *  | msg_iov        → iovec         |
 *  +--------------------------------+ @24       struct cmsghdr, one per control message
 *  | msg_iovlen     (1)             |             +--------------------------------+ @0
 *  +--------------------------------+ @32         | cmsg_len (size_t) = 16 + data  |
 *  | msg_control    → control       |             +----------------+---------------+ @8
 *  +--------------------------------+ @40         | cmsg_level     | cmsg_type     |
 *  | msg_controllen                 |             +----------------+---------------+ @16
 *  +----------------+---------------+ @48         | data: int fds[n] ...           |
 *  | msg_flags      |   padding     |             +--------------------------------+
 *  +----------------+---------------+             next cmsghdr at align8(cmsg_len)
 * </pre>
 */
public final class MsgHdr
{
    public static final int NAME_OFFSET = 0;
    public static final int NAME_LENGTH_OFFSET = NAME_OFFSET + Long.BYTES;
    public static final int IOV_OFFSET = NAME_LENGTH_OFFSET + Long.BYTES;
    public static final int IOV_LENGTH_OFFSET = IOV_OFFSET + Long.BYTES;
    public static final int CONTROL_OFFSET = IOV_LENGTH_OFFSET + Long.BYTES;
    public static final int CONTROL_LENGTH_OFFSET = CONTROL_OFFSET + Long.BYTES;
    public static final int FLAGS_OFFSET = CONTROL_LENGTH_OFFSET + Long.BYTES;
    public static final int SIZE = FLAGS_OFFSET + Long.BYTES;

    public static final int IOV_BASE_OFFSET = 0;
    public static final int IOV_LEN_OFFSET = IOV_BASE_OFFSET + Long.BYTES;
    public static final int IOV_SIZE = IOV_LEN_OFFSET + Long.BYTES;

    public static final int CMSG_LEN_OFFSET = 0;
    public static final int CMSG_LEVEL_OFFSET = CMSG_LEN_OFFSET + Long.BYTES;
    public static final int CMSG_TYPE_OFFSET = CMSG_LEVEL_OFFSET + Integer.BYTES;
    public static final int CMSG_DATA_OFFSET = CMSG_TYPE_OFFSET + Integer.BYTES;

    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    /** The kernel's limit of fds in one sendmsg (include/net/scm.h); more fail with EINVAL. */
    public static final int SCM_MAX_FD = 253;

    public static final int MSG_PEEK = 0x2;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;

    private final UnsafeBuffer header = NativeMemory.allocate(SIZE + IOV_SIZE);
    private final UnsafeBuffer control;

    /** @param controlCapacity bytes of control buffer; {@code cmsgSpace(n * 4)} holds n fds. */
    public MsgHdr(final int controlCapacity)
    {
        control = NativeMemory.allocate(controlCapacity);
        header.putLong(IOV_OFFSET, header.addressOffset() + SIZE);
        header.putLong(IOV_LENGTH_OFFSET, 1);
        header.putLong(CONTROL_OFFSET, control.addressOffset());
    }

    /** {@code CMSG_LEN(dataLength)}: the cmsg_len of a control message carrying that much data. */
    public static int cmsgLen(final int dataLength)
    {
        return CMSG_DATA_OFFSET + dataLength;
    }

    /** {@code CMSG_SPACE(dataLength)}: what a control message with that much data occupies. */
    public static int cmsgSpace(final int dataLength)
    {
        return CMSG_DATA_OFFSET + align(dataLength);
    }

    public static int align(final int length)
    {
        return (length + Long.BYTES - 1) & -Long.BYTES;
    }

    /** Points the iovec at {@code length} bytes at {@code dataAddress} and attaches no control data. */
    public MsgHdr data(final long dataAddress, final int length)
    {
        final int iov = SIZE;
        header.putLong(iov + IOV_BASE_OFFSET, dataAddress);
        header.putLong(iov + IOV_LEN_OFFSET, length);
        header.putLong(CONTROL_OFFSET, 0L);
        header.putLong(CONTROL_LENGTH_OFFSET, 0L);
        header.putInt(FLAGS_OFFSET, 0);
        return this;
    }

    /** Attaches one SCM_RIGHTS control message carrying {@code fd}. */
    public MsgHdr attachFd(final int fd)
    {
        control.putInt(CMSG_DATA_OFFSET, fd);
        return attachRights(1);
    }

    /** Attaches one SCM_RIGHTS control message carrying {@code fds[0..count)}; the control buffer must hold them. */
    public MsgHdr attachFds(final int[] fds, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            control.putInt(CMSG_DATA_OFFSET + i * Integer.BYTES, fds[i]);
        }
        return attachRights(count);
    }

    private MsgHdr attachRights(final int count)
    {
        final int dataLength = count * Integer.BYTES;
        control.putLong(CMSG_LEN_OFFSET, cmsgLen(dataLength));
        control.putInt(CMSG_LEVEL_OFFSET, SOL_SOCKET);
        control.putInt(CMSG_TYPE_OFFSET, SCM_RIGHTS);
        final int space = cmsgSpace(dataLength);
        if (space > CMSG_DATA_OFFSET + dataLength)
        {
            control.setMemory(CMSG_DATA_OFFSET + dataLength, space - CMSG_DATA_OFFSET - dataLength, (byte)0);
        }
        header.putLong(CONTROL_OFFSET, control.addressOffset());
        header.putLong(CONTROL_LENGTH_OFFSET, space);
        return this;
    }

    /** Offers the whole control buffer to a receive (msg_controllen must be reset before each recvmsg). */
    public MsgHdr expectControl()
    {
        header.putLong(CONTROL_OFFSET, control.addressOffset());
        header.putLong(CONTROL_LENGTH_OFFSET, control.capacity());
        header.putInt(FLAGS_OFFSET, 0);
        return this;
    }

    public int flags()
    {
        return header.getInt(FLAGS_OFFSET);
    }

    /** Bytes of control data the kernel filled in on the last receive. */
    public int controlLength()
    {
        return (int)header.getLong(CONTROL_LENGTH_OFFSET);
    }

    /** The control buffer, for walking cmsgs with the CMSG_* offsets. */
    public UnsafeBuffer control()
    {
        return control;
    }

    public long address()
    {
        return header.addressOffset();
    }
}
