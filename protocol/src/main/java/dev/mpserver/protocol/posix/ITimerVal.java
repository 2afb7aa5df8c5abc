package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code struct itimerval} (32 bytes): it_interval then it_value, each a {@code timeval}
 * of seconds (long @+0) and microseconds (long @+8).
 */
public final class ITimerVal
{
    public static final int INTERVAL_SEC_OFFSET = 0;
    public static final int INTERVAL_USEC_OFFSET = INTERVAL_SEC_OFFSET + Long.BYTES;
    public static final int VALUE_SEC_OFFSET = INTERVAL_USEC_OFFSET + Long.BYTES;
    public static final int VALUE_USEC_OFFSET = VALUE_SEC_OFFSET + Long.BYTES;
    public static final int SIZE = VALUE_USEC_OFFSET + Long.BYTES;

    public static final int ITIMER_REAL = 0;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    /** Both the first expiry and the period; 0 disarms. */
    public ITimerVal periodMicros(final long micros)
    {
        memory.putLong(INTERVAL_SEC_OFFSET, micros / 1_000_000);
        memory.putLong(INTERVAL_USEC_OFFSET, micros % 1_000_000);
        memory.putLong(VALUE_SEC_OFFSET, micros / 1_000_000);
        memory.putLong(VALUE_USEC_OFFSET, micros % 1_000_000);
        return this;
    }

    public long address()
    {
        return memory.addressOffset();
    }
}
