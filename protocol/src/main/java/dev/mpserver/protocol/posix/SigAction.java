package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * glibc's {@code struct sigaction} on x86-64 (152 bytes).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              sa_sigaction (handler address, 8 bytes)           |  @0
 *  +---------------------------------------------------------------+
 *  |                 sa_mask (sigset_t, 128 bytes)                  |  @8
 *  |                              ...                               |
 *  +---------------------------------------------------------------+
 *  |            sa_flags (int)         |          padding           |  @136
 *  +---------------------------------------------------------------+
 *  |             sa_restorer (set by glibc, 8 bytes)                |  @144
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class SigAction
{
    public static final int HANDLER_OFFSET = 0;
    public static final int MASK_OFFSET = HANDLER_OFFSET + Long.BYTES;
    public static final int FLAGS_OFFSET = MASK_OFFSET + SigSet.SIZE;
    public static final int RESTORER_OFFSET = FLAGS_OFFSET + Long.BYTES;
    public static final int SIZE = RESTORER_OFFSET + Long.BYTES;

    /** SIG_DFL, as a handler address. */
    public static final long DEFAULT_HANDLER = 0L;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    /** Sets handler address, flags, and a mask of {@code blockedDuringHandler} (may be null). */
    public SigAction set(final long handlerAddress, final int flags, final SigSet blockedDuringHandler)
    {
        memory.setMemory(0, SIZE, (byte)0);
        memory.putLong(HANDLER_OFFSET, handlerAddress);
        memory.putInt(FLAGS_OFFSET, flags);
        if (null != blockedDuringHandler)
        {
            memory.putBytes(MASK_OFFSET, new UnsafeBuffer(blockedDuringHandler.address(), SigSet.SIZE), 0, SigSet.SIZE);
        }
        return this;
    }

    public long handlerAddress()
    {
        return memory.getLong(HANDLER_OFFSET);
    }

    public int flags()
    {
        return memory.getInt(FLAGS_OFFSET);
    }

    public long address()
    {
        return memory.addressOffset();
    }
}
