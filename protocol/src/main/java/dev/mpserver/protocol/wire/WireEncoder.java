package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static dev.mpserver.protocol.wire.WireProtocol.BODY_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.BROADCAST;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_SHARD_ID_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR_CODE_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.ERROR_TEXT_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_CLIENTS_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_PID_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_REPLY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_SHARD_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_SLOT_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_BODY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_TEXT_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MESSAGE;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.PROTOTYPE_PING;
import static dev.mpserver.protocol.wire.WireProtocol.PROTOTYPE_PING_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.TERMINATOR;
import static dev.mpserver.protocol.wire.WireProtocol.TERMINATOR_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.TYPE_OFFSET;

/**
 * Writes whole client wire frames, both directions (layouts in {@link WireProtocol}), into a
 * {@link MutableDirectBuffer} at an offset, and returns the bytes written. Nothing allocates.
 *
 * <p>The caller makes room first: the frame lengths are fixed ({@link WireProtocol#PING_REPLY_LENGTH},
 * {@link WireProtocol#IDENTIFY_REPLY_LENGTH}, {@link WireProtocol#CONTROL_FRAME_LENGTH}) or bounded
 * ({@link WireProtocol#MAX_ERROR_FRAME_LENGTH}, {@link WireProtocol#MAX_FRAME_LENGTH}), and
 * {@link #delimitedFrameLength(int)} and {@link #errorFrameLength(CharSequence)} give the exact
 * length beforehand. Writing past the buffer fails the buffer's own bounds check.
 */
public final class WireEncoder
{
    /** Stands in for a character the error text cannot carry (non-ASCII or {@code '\0'}). */
    public static final byte UNPRINTABLE_REPLACEMENT = '?';

    private static final int ASCII_MAX = 0x7F;

    private WireEncoder()
    {
    }

    /**
     * @param bodyLength length of an 'M' or 'B' body.
     * @return length of the whole frame, type byte and terminator included.
     */
    public static int delimitedFrameLength(final int bodyLength)
    {
        return BODY_OFFSET + bodyLength + TERMINATOR_LENGTH;
    }

    /**
     * @param text the error text as it will be given to {@link #putError}.
     * @return length of the error frame {@link #putError} will write for it.
     */
    public static int errorFrameLength(final CharSequence text)
    {
        return ERROR_TEXT_OFFSET + Math.min(text.length(), MAX_ERROR_TEXT_LENGTH) + TERMINATOR_LENGTH;
    }

    /**
     * The server's answer to every 'M': {@code "hello, server ping!\0"}.
     *
     * @return {@link WireProtocol#PING_REPLY_LENGTH}.
     */
    public static int putPingReply(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putBytes(offset, PING_REPLY, 0, PING_REPLY_LENGTH);
        return PING_REPLY_LENGTH;
    }

    /**
     * The server's answer to 'I'.
     *
     * @return {@link WireProtocol#IDENTIFY_REPLY_LENGTH}.
     */
    public static int putIdentifyReply(
        final MutableDirectBuffer buffer,
        final int offset,
        final int pid,
        final int slot,
        final int shardId,
        final int clientsOnShard)
    {
        buffer.putByte(offset + TYPE_OFFSET, IDENTIFY);
        buffer.putInt(offset + IDENTIFY_PID_OFFSET, pid, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + IDENTIFY_SLOT_OFFSET, slot, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + IDENTIFY_SHARD_OFFSET, shardId, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(offset + IDENTIFY_CLIENTS_OFFSET, clientsOnShard, ByteOrder.LITTLE_ENDIAN);
        return IDENTIFY_REPLY_LENGTH;
    }

    /**
     * An error frame with the code's own text, e.g. {@code "server full"}.
     *
     * @return bytes written, at most {@link WireProtocol#MAX_ERROR_FRAME_LENGTH}.
     */
    public static int putError(final MutableDirectBuffer buffer, final int offset, final ErrorCode code)
    {
        return putError(buffer, offset, code, code.text());
    }

    /**
     * An error frame. This is the last thing a failing client gets, so it must not fail in turn: text
     * beyond {@link WireProtocol#MAX_ERROR_TEXT_LENGTH} characters is cut, and a character that is
     * not ASCII, or is {@code '\0'} (it would end the frame early), is sent as
     * {@link #UNPRINTABLE_REPLACEMENT}.
     *
     * @return bytes written, {@link #errorFrameLength(CharSequence)}.
     */
    public static int putError(
        final MutableDirectBuffer buffer, final int offset, final ErrorCode code, final CharSequence text)
    {
        final int textLength = Math.min(text.length(), MAX_ERROR_TEXT_LENGTH);
        final int textOffset = offset + ERROR_TEXT_OFFSET;

        buffer.putByte(offset + TYPE_OFFSET, ERROR);
        buffer.putByte(offset + ERROR_CODE_OFFSET, (byte)code.code());
        for (int i = 0; i < textLength; i++)
        {
            final char c = text.charAt(i);
            buffer.putByte(textOffset + i, c > ASCII_MAX || TERMINATOR == c ? UNPRINTABLE_REPLACEMENT : (byte)c);
        }
        buffer.putByte(textOffset + textLength, TERMINATOR);

        return ERROR_TEXT_OFFSET + textLength + TERMINATOR_LENGTH;
    }

    /**
     * The 'C' that routes a connection to a shard.
     *
     * @return {@link WireProtocol#CONTROL_FRAME_LENGTH}.
     */
    public static int putControl(final MutableDirectBuffer buffer, final int offset, final int shardId)
    {
        buffer.putByte(offset + TYPE_OFFSET, CONTROL);
        buffer.putInt(offset + CONTROL_SHARD_ID_OFFSET, shardId, ByteOrder.LITTLE_ENDIAN);
        return CONTROL_FRAME_LENGTH;
    }

    /**
     * The identify request, a lone 'I'.
     *
     * @return {@link WireProtocol#IDENTIFY_FRAME_LENGTH}.
     */
    public static int putIdentify(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset + TYPE_OFFSET, IDENTIFY);
        return IDENTIFY_FRAME_LENGTH;
    }

    /**
     * The prototype client's message, {@code 'M' "client, ping message!\0"}.
     *
     * @return {@link WireProtocol#PROTOTYPE_PING_FRAME_LENGTH}.
     */
    public static int putPrototypePing(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset + TYPE_OFFSET, MESSAGE);
        // PROTOTYPE_PING carries its own terminator.
        buffer.putBytes(offset + BODY_OFFSET, PROTOTYPE_PING, 0, PROTOTYPE_PING.length);
        return PROTOTYPE_PING_FRAME_LENGTH;
    }

    /**
     * An 'M' frame.
     *
     * @return bytes written, {@link #delimitedFrameLength(int)} of {@code bodyLength}.
     * @throws IllegalArgumentException if the body is longer than {@link WireProtocol#MAX_BODY_LENGTH}
     *                                  or holds a {@code '\0'}: the frame would be cut or refused.
     */
    public static int putMessage(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        checkBody(body, bodyOffset, bodyLength);
        return putDelimited(buffer, offset, MESSAGE, body, bodyOffset, bodyLength);
    }

    /**
     * An 'M' frame from a byte array.
     *
     * @see #putMessage(MutableDirectBuffer, int, DirectBuffer, int, int)
     */
    public static int putMessage(final MutableDirectBuffer buffer, final int offset, final byte[] body)
    {
        checkBody(body);
        return putDelimited(buffer, offset, MESSAGE, body);
    }

    /**
     * A 'B' frame, as a client sends it (the server forwards the same bytes).
     *
     * @return bytes written, {@link #delimitedFrameLength(int)} of {@code bodyLength}.
     * @throws IllegalArgumentException if the body is longer than {@link WireProtocol#MAX_BODY_LENGTH}
     *                                  or holds a {@code '\0'}: the frame would be cut or refused.
     */
    public static int putBroadcast(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        checkBody(body, bodyOffset, bodyLength);
        return putDelimited(buffer, offset, BROADCAST, body, bodyOffset, bodyLength);
    }

    /**
     * A 'B' frame from a byte array.
     *
     * @see #putBroadcast(MutableDirectBuffer, int, DirectBuffer, int, int)
     */
    public static int putBroadcast(final MutableDirectBuffer buffer, final int offset, final byte[] body)
    {
        checkBody(body);
        return putDelimited(buffer, offset, BROADCAST, body);
    }

    private static int putDelimited(
        final MutableDirectBuffer buffer,
        final int offset,
        final byte type,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        buffer.putByte(offset + TYPE_OFFSET, type);
        buffer.putBytes(offset + BODY_OFFSET, body, bodyOffset, bodyLength);
        buffer.putByte(offset + BODY_OFFSET + bodyLength, TERMINATOR);
        return delimitedFrameLength(bodyLength);
    }

    private static int putDelimited(
        final MutableDirectBuffer buffer, final int offset, final byte type, final byte[] body)
    {
        buffer.putByte(offset + TYPE_OFFSET, type);
        buffer.putBytes(offset + BODY_OFFSET, body);
        buffer.putByte(offset + BODY_OFFSET + body.length, TERMINATOR);
        return delimitedFrameLength(body.length);
    }

    private static void checkBody(final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        checkBodyLength(bodyLength);
        final int terminatorAt = Terminators.indexOf(body, bodyOffset, bodyOffset + bodyLength);
        if (Terminators.NOT_FOUND != terminatorAt)
        {
            throw new IllegalArgumentException("body holds a '\\0' at " + (terminatorAt - bodyOffset));
        }
    }

    private static void checkBody(final byte[] body)
    {
        checkBodyLength(body.length);
        for (int i = 0; i < body.length; i++)
        {
            if (TERMINATOR == body[i])
            {
                throw new IllegalArgumentException("body holds a '\\0' at " + i);
            }
        }
    }

    private static void checkBodyLength(final int bodyLength)
    {
        if (bodyLength < 0 || bodyLength > MAX_BODY_LENGTH)
        {
            throw new IllegalArgumentException("body length " + bodyLength + " outside 0.." + MAX_BODY_LENGTH);
        }
    }
}
