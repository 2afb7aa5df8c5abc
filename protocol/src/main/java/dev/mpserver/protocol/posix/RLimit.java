package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/** {@code struct rlimit} (16 bytes): rlim_cur (@0), rlim_max (@8); ~0 is RLIM_INFINITY. */
public final class RLimit
{
    public static final int CURRENT_OFFSET = 0;
    public static final int MAXIMUM_OFFSET = CURRENT_OFFSET + Long.BYTES;
    public static final int SIZE = MAXIMUM_OFFSET + Long.BYTES;

    public static final int RLIMIT_NOFILE = 7;
    public static final int RLIMIT_SIGPENDING = 11;
    public static final long RLIM_INFINITY = -1L;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    public long current()
    {
        return memory.getLong(CURRENT_OFFSET);
    }

    public long maximum()
    {
        return memory.getLong(MAXIMUM_OFFSET);
    }

    public RLimit set(final long current, final long maximum)
    {
        memory.putLong(CURRENT_OFFSET, current);
        memory.putLong(MAXIMUM_OFFSET, maximum);
        return this;
    }

    public long address()
    {
        return memory.addressOffset();
    }
}
