package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

import static dev.mpserver.protocol.wire.WireProtocol.BODY_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.BROADCAST;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR_CODE_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR_TEXT_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_CLIENTS_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_PID_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_REPLY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_SHARD_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_SLOT_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.TERMINATOR_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.TYPE_OFFSET;

/**
 * Incremental parser of the server → client stream, for the load generator and tests: ping replies,
 * identify replies, broadcasts and errors (layouts in {@link WireProtocol}). It never allocates.
 *
 * <p>One instance per connection; the contract of {@link #parse} is that of
 * {@link ClientFrameParser#parse}: complete frames are consumed and reported, a partial frame at
 * the end is left for the next call, which must start with the same bytes (moved, perhaps, but
 * unchanged). The parser remembers how far it has searched a partial 'B' or 'E' for its
 * {@code '\0'}, so a large frame arriving in small reads is scanned once.
 *
 * <p>Anything a server does not send is reported once through {@link ServerReplyHandler#onGarbage}
 * as soon as the offending byte is there, after which the parser consumes nothing until
 * {@link #reset()}: a stream that lost its framing cannot be trusted again. A 'B' is garbage once
 * {@link WireProtocol#MAX_FRAME_LENGTH} bytes hold no {@code '\0'}, an 'E' once
 * {@link WireProtocol#MAX_ERROR_FRAME_LENGTH} bytes do not.
 */
public final class ServerReplyParser
{
    /** First byte of {@link WireProtocol#PING_REPLY}; it differs from every frame type byte. */
    private static final byte PING = PING_REPLY[TYPE_OFFSET];

    /** Result of {@link #completeFrameLength} when the frame's bytes are not all there yet. */
    private static final int INCOMPLETE = 0;
    /** Result of {@link #completeFrameLength} after it reported garbage. */
    private static final int BROKEN = -1;

    private boolean failed;

    /**
     * Bytes of the partial 'B'/'E' at the start of the next region that are known to hold no
     * terminator. Only ever non-zero between a call that ended on such a frame and the next call.
     */
    private int searchedLength;

    /**
     * For a new connection.
     */
    public void reset()
    {
        failed = false;
        searchedLength = 0;
    }

    /**
     * @return true once garbage has been reported.
     */
    public boolean hasFailed()
    {
        return failed;
    }

    /**
     * Parse the complete frames at the start of a region.
     *
     * @param buffer  holding the unconsumed bytes from the server.
     * @param offset  where the first unconsumed byte is.
     * @param length  how many unconsumed bytes there are.
     * @param handler told about each frame, or about the garbage that stopped parsing.
     * @return bytes consumed from {@code offset}: the frames handled; never a partial frame or garbage.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length, final ServerReplyHandler handler)
    {
        final int limit = offset + length;
        int position = offset;

        while (position < limit && !failed)
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

    private int completeFrameLength(
        final DirectBuffer buffer, final int frameOffset, final int available, final ServerReplyHandler handler)
    {
        final byte type = buffer.getByte(frameOffset + TYPE_OFFSET);
        if (PING == type)
        {
            return pingReplyLength(buffer, frameOffset, available, handler);
        }
        if (IDENTIFY == type)
        {
            return available >= IDENTIFY_REPLY_LENGTH ? IDENTIFY_REPLY_LENGTH : INCOMPLETE;
        }
        if (BROADCAST == type)
        {
            return delimitedFrameLength(buffer, frameOffset, available, BODY_OFFSET, MAX_FRAME_LENGTH, handler);
        }
        if (ERROR == type)
        {
            return delimitedFrameLength(
                buffer, frameOffset, available, ERROR_TEXT_OFFSET, MAX_ERROR_FRAME_LENGTH, handler);
        }

        return garbage(handler, type);
    }

    private int pingReplyLength(
        final DirectBuffer buffer, final int frameOffset, final int available, final ServerReplyHandler handler)
    {
        // Check what is there already: a corrupt reply is reported now, not when 20 bytes have come.
        final int present = Math.min(available, PING_REPLY_LENGTH);
        for (int i = 0; i < present; i++)
        {
            final byte value = buffer.getByte(frameOffset + i);
            if (PING_REPLY[i] != value)
            {
                return garbage(handler, value);
            }
        }

        return PING_REPLY_LENGTH == present ? PING_REPLY_LENGTH : INCOMPLETE;
    }

    private int delimitedFrameLength(
        final DirectBuffer buffer,
        final int frameOffset,
        final int available,
        final int firstSearched,
        final int maxFrameLength,
        final ServerReplyHandler handler)
    {
        final int searchLimit = Math.min(available, maxFrameLength);
        final int searchFrom = Math.max(firstSearched, Math.min(searchedLength, searchLimit));
        final int terminatorAt = Terminators.indexOf(buffer, frameOffset + searchFrom, frameOffset + searchLimit);

        if (Terminators.NOT_FOUND != terminatorAt)
        {
            return terminatorAt - frameOffset + TERMINATOR_LENGTH;
        }

        if (available >= maxFrameLength)
        {
            return garbage(handler, buffer.getByte(frameOffset + TYPE_OFFSET));
        }

        searchedLength = searchLimit;
        return INCOMPLETE;
    }

    private boolean dispatch(
        final DirectBuffer buffer, final int frameOffset, final int frameLength, final ServerReplyHandler handler)
    {
        searchedLength = 0;
        final byte type = buffer.getByte(frameOffset + TYPE_OFFSET);
        if (PING == type)
        {
            return handler.onPing();
        }
        if (IDENTIFY == type)
        {
            return handler.onIdentify(
                buffer.getInt(frameOffset + IDENTIFY_PID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                buffer.getInt(frameOffset + IDENTIFY_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN),
                buffer.getInt(frameOffset + IDENTIFY_SHARD_OFFSET, ByteOrder.LITTLE_ENDIAN),
                buffer.getInt(frameOffset + IDENTIFY_CLIENTS_OFFSET, ByteOrder.LITTLE_ENDIAN));
        }
        if (BROADCAST == type)
        {
            return handler.onBroadcast(
                buffer, frameOffset + BODY_OFFSET, frameLength - BODY_OFFSET - TERMINATOR_LENGTH);
        }

        return handler.onError(
            buffer.getByte(frameOffset + ERROR_CODE_OFFSET) & 0xFF,
            buffer,
            frameOffset + ERROR_TEXT_OFFSET,
            frameLength - ERROR_TEXT_OFFSET - TERMINATOR_LENGTH);
    }

    private int garbage(final ServerReplyHandler handler, final byte value)
    {
        failed = true;
        searchedLength = 0;
        handler.onGarbage(value);
        return BROKEN;
    }
}
