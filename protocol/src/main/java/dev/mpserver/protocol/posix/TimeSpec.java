package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/** {@code struct timespec} (16 bytes): tv_sec (long @0), tv_nsec (long @8). */
public final class TimeSpec
{
    public static final int SEC_OFFSET = 0;
    public static final int NSEC_OFFSET = SEC_OFFSET + Long.BYTES;
    public static final int SIZE = NSEC_OFFSET + Long.BYTES;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    public TimeSpec nanos(final long nanos)
    {
        memory.putLong(SEC_OFFSET, nanos / 1_000_000_000L);
        memory.putLong(NSEC_OFFSET, nanos % 1_000_000_000L);
        return this;
    }

    public long address()
    {
        return memory.addressOffset();
    }
}
