package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static dev.mpserver.protocol.wire.WireProtocol.BODY_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.BROADCAST;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_SHARD_ID_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MESSAGE;
import static dev.mpserver.protocol.wire.WireProtocol.TERMINATOR_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.TYPE_OFFSET;

/**
 * Incremental parser of the client → server stream ({@code 'C'}, {@code 'M'}, {@code 'I'},
 * {@code 'B'}; layouts in {@link WireProtocol}). It never allocates, not even on the error path.
 *
 * <p>One instance per connection, because the stream has state that outlives a read: whether a
 * {@code 'C'} may still come, how much of a partial {@code 'M'}/{@code 'B'} has been searched for
 * its {@code '\0'} already, and whether the stream has failed. The handler is passed per call so
 * that a worker can serve all its connections with one handler.
 *
 * <p>Contract of {@link #parse}: it consumes the complete frames at the start of the region, calls
 * the handler once per frame, and returns how many bytes it consumed. A partial frame at the end is
 * left unconsumed; the caller keeps those bytes and calls again with the same bytes at the start of
 * the region, followed by whatever arrived since. The caller may move them in between (compact its
 * buffer) but must not drop, change or reorder them: the parser remembers how far it has searched
 * the partial frame so that a 64 KiB frame arriving in small reads is scanned once, not once per
 * read. After {@link #reset()} or {@link #resetAfterControl()} that memory is gone.
 *
 * <p>Errors, each reported once through {@link ClientFrameHandler#onError} with
 * {@link ErrorCode#BAD_FRAME}, after which the parser consumes nothing more until reset:
 * <ul>
 *   <li>an unknown type byte;</li>
 *   <li>an {@code 'M'} or {@code 'B'} with no {@code '\0'} in its first {@link WireProtocol#MAX_FRAME_LENGTH}
 *       bytes, reported as soon as that many bytes are there;</li>
 *   <li>a {@code 'C'} that is not the connection's first frame, reported on its type byte alone.</li>
 * </ul>
 * The returned count then covers the good frames before the bad one.
 */
public final class ClientFrameParser
{
    /** Error text for an 'M' or 'B' frame longer than {@link WireProtocol#MAX_FRAME_LENGTH}. */
    public static final String REASON_FRAME_TOO_LONG = "frame over " + MAX_FRAME_LENGTH + " bytes";

    /** Error text for a 'C' after a 'C' (read by this parser or, for a handed-off client, by another). */
    public static final String REASON_SECOND_CONTROL = "second C frame";

    /** Error text for a 'C' after some other frame: only a first 'C' routes, so a late one is a bug. */
    public static final String REASON_LATE_CONTROL = "C frame not first";

    private static final int BYTE_VALUES = 256;

    /** Built once so that even a flood of bad clients costs no allocation. */
    private static final String[] REASON_UNKNOWN_TYPE = new String[BYTE_VALUES];

    static
    {
        for (int value = 0; value < BYTE_VALUES; value++)
        {
            REASON_UNKNOWN_TYPE[value] = String.format("unknown frame type 0x%02x", value);
        }
    }

    /** No frame yet: 'C' is allowed. */
    private static final int AWAIT_FIRST_FRAME = 0;
    /** A 'C' has been read, here or by the worker that handed the client over. */
    private static final int AFTER_CONTROL = 1;
    /** The first frame was not a 'C': the client stays unrouted. */
    private static final int AFTER_OTHER_FRAME = 2;
    /** An error was reported; nothing more is consumed. */
    private static final int FAILED = 3;

    /** Result of {@link #completeFrameLength} when the frame's bytes are not all there yet. */
    private static final int INCOMPLETE = 0;
    /** Result of {@link #completeFrameLength} after it reported an error. */
    private static final int BROKEN = -1;

    private int phase = AWAIT_FIRST_FRAME;

    /**
     * Bytes of the partial 'M'/'B' at the start of the next region that are known to hold no
     * terminator. Only ever non-zero between a call that ended on such a frame and the next call.
     */
    private int searchedLength;

    /**
     * For a connection just accepted: its first frame may be a 'C'.
     */
    public void reset()
    {
        phase = AWAIT_FIRST_FRAME;
        searchedLength = 0;
    }

    /**
     * For a connection whose 'C' was read elsewhere (a client handed over by the master): any 'C'
     * from now on is a second one.
     */
    public void resetAfterControl()
    {
        phase = AFTER_CONTROL;
        searchedLength = 0;
    }

    /**
     * @return true while no frame has been parsed since a {@link #reset()}, so a 'C' would be accepted.
     */
    public boolean isControlAllowed()
    {
        return AWAIT_FIRST_FRAME == phase;
    }

    /**
     * @return true once an error has been reported; the connection should be answered and closed.
     */
    public boolean hasFailed()
    {
        return FAILED == phase;
    }

    /**
     * Parse the complete frames at the start of a region.
     *
     * @param buffer  holding the client's unconsumed bytes.
     * @param offset  where the first unconsumed byte is.
     * @param length  how many unconsumed bytes there are.
     * @param handler told about each frame, or about the error that stopped parsing.
     * @return bytes consumed from {@code offset}: the frames handled; never a partial or bad frame.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length, final ClientFrameHandler handler)
    {
        final int limit = offset + length;
        int position = offset;

        while (position < limit && FAILED != phase)
        {
            final int frameLength = completeFrameLength(buffer, position, limit - position, handler);
            if (frameLength <= INCOMPLETE)
            {
                break;
            }

            final boolean proceed = dispatch(buffer, position, frameLength, handler);
            position += frameLength;
            if (!proceed)
            {
                break;
            }
        }

        return position - offset;
    }

    /**
     * @return the length of the complete frame at {@code frameOffset}, {@link #INCOMPLETE}, or
     * {@link #BROKEN} after telling the handler why.
     */
    private int completeFrameLength(
        final DirectBuffer buffer, final int frameOffset, final int available, final ClientFrameHandler handler)
    {
        final byte type = buffer.getByte(frameOffset + TYPE_OFFSET);
        switch (type)
        {
            case MESSAGE:
            case BROADCAST:
                return delimitedFrameLength(buffer, frameOffset, available, handler);

            case IDENTIFY:
                return IDENTIFY_FRAME_LENGTH;

            case CONTROL:
                if (AWAIT_FIRST_FRAME != phase)
                {
                    // The type byte alone condemns it: waiting for the id would only let a bad client linger.
                    return fail(handler, AFTER_CONTROL == phase ? REASON_SECOND_CONTROL : REASON_LATE_CONTROL);
                }
                return available >= CONTROL_FRAME_LENGTH ? CONTROL_FRAME_LENGTH : INCOMPLETE;

            default:
                return fail(handler, REASON_UNKNOWN_TYPE[type & 0xFF]);
        }
    }

    private int delimitedFrameLength(
        final DirectBuffer buffer, final int frameOffset, final int available, final ClientFrameHandler handler)
    {
        // Never look past the largest legal frame: a client must not make us buffer or scan more.
        final int searchLimit = Math.min(available, MAX_FRAME_LENGTH);
        final int searchFrom = Math.max(BODY_OFFSET, Math.min(searchedLength, searchLimit));
        final int terminatorAt = Terminators.indexOf(buffer, frameOffset + searchFrom, frameOffset + searchLimit);

        if (Terminators.NOT_FOUND != terminatorAt)
        {
            return terminatorAt - frameOffset + TERMINATOR_LENGTH;
        }

        if (available >= MAX_FRAME_LENGTH)
        {
            return fail(handler, REASON_FRAME_TOO_LONG);
        }

        searchedLength = searchLimit;
        return INCOMPLETE;
    }

    private boolean dispatch(
        final DirectBuffer buffer, final int frameOffset, final int frameLength, final ClientFrameHandler handler)
    {
        // State first: a handler that stops here, or asks isControlAllowed(), sees the frame as done.
        searchedLength = 0;
        final byte type = buffer.getByte(frameOffset + TYPE_OFFSET);
        if (CONTROL == type)
        {
            phase = AFTER_CONTROL;
            return handler.onControl(buffer.getInt(frameOffset + CONTROL_SHARD_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        }

        if (AWAIT_FIRST_FRAME == phase)
        {
            phase = AFTER_OTHER_FRAME;
        }

        switch (type)
        {
            case MESSAGE:
                return handler.onMessage(buffer, frameOffset + BODY_OFFSET, frameLength - BODY_OFFSET - TERMINATOR_LENGTH);

            case BROADCAST:
                return handler.onBroadcast(buffer, frameOffset, frameLength);

            case IDENTIFY:
                return handler.onIdentify();

            default:
                throw new IllegalStateException("type 0x" + Integer.toHexString(type & 0xFF) + " passed validation");
        }
    }

    private int fail(final ClientFrameHandler handler, final String reason)
    {
        phase = FAILED;
        searchedLength = 0;
        handler.onError(ErrorCode.BAD_FRAME, reason);
        return BROKEN;
    }
}
