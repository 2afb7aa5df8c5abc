package dev.mpserver.loadgen.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The bytes a client's last read left unconsumed, kept between reads: input is read into the engine
 * thread's shared buffer, behind what is put back here. It is at most a partial chunk header, or
 * S0+S1 split across reads, so a client holds a few hundred bytes of its own whatever the frame
 * sizes.
 */
final class InputCarry
{
    private static final int INITIAL_CAPACITY = 32;

    private byte[] bytes = new byte[INITIAL_CAPACITY];
    private int length;

    /**
     * Puts the kept bytes at the start of {@code input}.
     *
     * @return how many: the next read goes behind them
     */
    int restore(final MutableDirectBuffer input)
    {
        if (length > 0)
        {
            input.putBytes(0, bytes, 0, length);
        }
        return length;
    }

    /**
     * Keeps {@code input[consumed..available)}.
     *
     * @param mayShrink true once nothing as large as the handshake's S1 can be left over again
     */
    void keep(final DirectBuffer input, final int consumed, final int available, final boolean mayShrink)
    {
        length = available - consumed;
        if (length > bytes.length)
        {
            bytes = new byte[Math.max(length, bytes.length * 2)];
        }
        if (length > 0)
        {
            input.getBytes(consumed, bytes, 0, length);
        }
        else if (bytes.length > INITIAL_CAPACITY && mayShrink)
        {
            bytes = new byte[INITIAL_CAPACITY];
        }
    }
}
