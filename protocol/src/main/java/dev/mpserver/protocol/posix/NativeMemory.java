package dev.mpserver.protocol.posix;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/** Zeroed, cache-line aligned off-heap memory for native structs and I/O buffers. */
public final class NativeMemory
{
    public static final int ALIGNMENT = 64;

    private NativeMemory()
    {
    }

    /**
     * @return a buffer over freshly allocated, zeroed direct memory. The buffer keeps the memory
     * reachable; whoever passes {@code addressOffset()} to native code must keep the buffer.
     */
    public static UnsafeBuffer allocate(final int length)
    {
        final int rounded = (Math.max(length, 1) + ALIGNMENT - 1) & -ALIGNMENT;
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(rounded, ALIGNMENT), 0, length);
    }
}
