package dev.mpserver.loadgen.engine;

import java.nio.ByteBuffer;

import dev.mpserver.protocol.wire.ServerReplyHandler;
import dev.mpserver.protocol.wire.ServerReplyParser;
import dev.mpserver.protocol.wire.Terminators;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection's replies as they arrive, in its slice of the engine thread's direct memory: the
 * protocol's {@link ServerReplyParser} hands each complete reply over, a partial one is kept at the
 * start of the buffer for the next read, and a broadcast too long for the buffer is skimmed to its
 * end and counted, not kept. Nothing is allocated per reply.
 */
final class ReplyInput
{
    /**
     * Holds any partial reply but a broadcast: ping and identify replies, and errors up to
     * {@link WireProtocol#MAX_ERROR_FRAME_LENGTH}. A broadcast longer than this (loadgen sends none; another
     * client of the shard may) is skimmed to its end and counted ({@link #skimBroadcast}), not kept.
     */
    static final int CAPACITY = 512;

    static
    {
        if (CAPACITY < WireProtocol.MAX_ERROR_FRAME_LENGTH + WireProtocol.IDENTIFY_REPLY_LENGTH)
        {
            throw new IllegalStateException("a connection's input buffer must hold an error reply");
        }
    }

    private static final int GARBAGE = -1;

    private final ByteBuffer in;
    private final UnsafeBuffer view;
    private final ServerReplyParser parser = new ServerReplyParser();
    private final ThreadMetrics metrics;
    /** Bytes of a broadcast too long for {@link #in} skimmed so far; 0 when not in one. */
    private int skimmedBroadcast;

    ReplyInput(final ByteBuffer in, final ThreadMetrics metrics)
    {
        this.in = in;
        this.view = new UnsafeBuffer(in);
        this.metrics = metrics;
    }

    /** For a new connection. */
    void clear()
    {
        skimmedBroadcast = 0;
        parser.reset();
        in.clear();
    }

    /** @return what the socket reads into, behind a partial reply kept. */
    ByteBuffer buffer()
    {
        return in;
    }

    /** @return the native address of {@link #buffer()}'s first byte. */
    long address()
    {
        return view.addressOffset();
    }

    /**
     * Hands the complete replies in the buffer to {@code handler} and keeps a partial one at its
     * start for the next read.
     *
     * @return false for garbage: a skimmed broadcast that runs past the longest frame
     */
    boolean parse(final ServerReplyHandler handler)
    {
        int start = 0;
        final int available = in.position();
        if (skimmedBroadcast > 0)
        {
            start = skimBroadcast(available);
            if (GARBAGE == start)
            {
                return false;
            }
            if (start == available)
            {
                in.clear();
                return true;
            }
        }
        final int consumed = start + parser.parse(view, start, available - start, handler);
        if (consumed == 0 && available == in.capacity())
        {
            // Only a broadcast outgrows the buffer (see CAPACITY); the parser checked its first byte.
            skimmedBroadcast = available;
            parser.reset();
            in.clear();
            return true;
        }
        in.limit(available).position(consumed);
        in.compact();
        return true;
    }

    /**
     * Reads on through the broadcast that outgrew {@link #in} to its {@code '\0'}, which counts it.
     *
     * @return where the bytes after the broadcast start in {@link #in} ({@code available} if it goes
     *     on), or {@link #GARBAGE}
     */
    private int skimBroadcast(final int available)
    {
        final int terminator = Terminators.indexOf(view, 0, available);
        final int end = Terminators.NOT_FOUND == terminator ? available : terminator + WireProtocol.TERMINATOR_LENGTH;
        skimmedBroadcast += end;
        if (skimmedBroadcast > WireProtocol.MAX_FRAME_LENGTH ||
            Terminators.NOT_FOUND == terminator && skimmedBroadcast == WireProtocol.MAX_FRAME_LENGTH)
        {
            return GARBAGE; // as the parser judges a 'B' that runs past its length limit
        }
        if (Terminators.NOT_FOUND != terminator)
        {
            skimmedBroadcast = 0;
            metrics.increment(Counters.BROADCASTS);
        }
        return end;
    }
}
