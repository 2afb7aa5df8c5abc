package dev.mpserver.protocol.wire;

import org.agrona.concurrent.UnsafeBuffer;

/** Counts single-byte reads, to prove that a partial frame is not searched again on every read. */
final class CountingBuffer extends UnsafeBuffer
{
    long reads;

    CountingBuffer(final int capacity)
    {
        super(new byte[capacity]);
    }

    @Override
    public byte getByte(final int index)
    {
        reads++;
        return super.getByte(index);
    }
}
