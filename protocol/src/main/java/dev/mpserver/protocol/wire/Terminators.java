package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import static dev.mpserver.protocol.wire.WireProtocol.TERMINATOR;

/**
 * The search every reader of delimited frames needs (both parsers, and a client that skims a frame
 * too long for its buffer): where the {@code '\0'} that ends a delimited frame is.
 */
public final class Terminators
{
    /** What {@link #indexOf} returns when there is no terminator in the range. */
    public static final int NOT_FOUND = -1;

    private Terminators()
    {
    }

    /**
     * @param buffer to search.
     * @param from   first index to look at.
     * @param to     index after the last one to look at.
     * @return the index of the first {@code '\0'} in {@code [from, to)}, or {@link #NOT_FOUND}.
     */
    public static int indexOf(final DirectBuffer buffer, final int from, final int to)
    {
        for (int index = from; index < to; index++)
        {
            if (TERMINATOR == buffer.getByte(index))
            {
                return index;
            }
        }

        return NOT_FOUND;
    }
}
