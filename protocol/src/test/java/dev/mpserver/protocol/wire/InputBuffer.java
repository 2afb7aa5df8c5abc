package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection's input buffer as a worker or load generator keeps it: bytes arrive in chunks, the
 * parser is called until it consumes nothing more, and unconsumed bytes stay for the next call,
 * either in place or moved to the front (compaction), because the parsers must cope with both.
 * Public for the RTMP codec tests.
 */
public final class InputBuffer
{
    @FunctionalInterface
    public interface Parser
    {
        int parse(DirectBuffer buffer, int offset, int length);
    }

    /** Not zero, so that a parser that confuses offsets with indexes fails. */
    private static final int BASE = 3;

    private final UnsafeBuffer buffer;
    private final boolean compact;
    private int start = BASE;
    private int end = BASE;

    public InputBuffer(final int capacity, final boolean compact)
    {
        this(new UnsafeBuffer(new byte[BASE + capacity]), compact);
    }

    InputBuffer(final UnsafeBuffer buffer, final boolean compact)
    {
        this.buffer = buffer;
        this.compact = compact;
    }

    /** Append a chunk as one read would, then parse until the parser consumes nothing more. */
    public void receive(final byte[] chunk, final int offset, final int length, final Parser parser)
    {
        buffer.putBytes(end, chunk, offset, length);
        end += length;

        int consumed;
        while (start < end && (consumed = parser.parse(buffer, start, end - start)) > 0)
        {
            start += consumed;
        }

        if (compact && start > BASE)
        {
            final int pending = end - start;
            buffer.putBytes(BASE, buffer, start, pending);
            start = BASE;
            end = BASE + pending;
        }
    }

    public int pending()
    {
        return end - start;
    }

    /** Feed a whole stream in chunks that end at the given cut points (ascending, exclusive of 0 and length). */
    public static InputBuffer feed(final byte[] stream, final int[] cuts, final boolean compact, final Parser parser)
    {
        final InputBuffer input = new InputBuffer(stream.length, compact);
        int from = 0;
        for (final int cut : cuts)
        {
            input.receive(stream, from, cut - from, parser);
            from = cut;
        }
        input.receive(stream, from, stream.length - from, parser);
        return input;
    }
}
