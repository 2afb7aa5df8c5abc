package dev.mpserver.loadgen.wire;

import dev.mpserver.protocol.wire.WireProtocol;

import java.nio.ByteBuffer;

/**
 * Incremental decoder of everything a server sends to a client. It keeps its position inside the
 * current frame in primitive fields, so a frame may arrive split over any number of reads and nothing
 * is buffered or allocated.
 *
 * <pre>
 * first byte   frame                                             length
 * 'h'          "hello, server ping!\0" (reply to one 'M')         20
 * 'I'          'I' pid:int32 slot:int32 shard:int32 clients:int32 17, integers little-endian
 * 'E'          'E' code:int8 text… '\0'                           3 … MAX_FRAME_LENGTH
 * 'B'          'B' bytes… '\0'                                    2 … MAX_FRAME_LENGTH
 * other        garbage: decoding stops
 * </pre>
 *
 * The one place in loadgen that knows the server's reply layout: it is meant to be replaced by the
 * protocol module's {@code ServerReplyParser} once that exists.
 */
public final class ServerReplyDecoder
{
    private static final byte[] PING_REPLY = WireProtocol.PING_REPLY;
    private static final int PING_REPLY_LENGTH = PING_REPLY.length;

    private static final int IDENTIFY_PID_OFFSET = 1;
    private static final int IDENTIFY_SLOT_OFFSET = IDENTIFY_PID_OFFSET + Integer.BYTES;
    private static final int IDENTIFY_SHARD_OFFSET = IDENTIFY_SLOT_OFFSET + Integer.BYTES;
    private static final int IDENTIFY_CLIENTS_OFFSET = IDENTIFY_SHARD_OFFSET + Integer.BYTES;
    private static final int IDENTIFY_LENGTH = IDENTIFY_CLIENTS_OFFSET + Integer.BYTES;
    private static final int IDENTIFY_INTS = 4;

    private static final int ERROR_CODE_OFFSET = 1;

    private static final int AT_FRAME_START = 0;
    private static final int IN_PING_REPLY = 1;
    private static final int IN_IDENTIFY = 2;
    private static final int IN_ERROR = 3;
    private static final int IN_BROADCAST = 4;
    private static final int BROKEN = 5;

    static
    {
        if (IDENTIFY_LENGTH != WireProtocol.IDENTIFY_REPLY_LENGTH)
        {
            throw new IllegalStateException("identify reply layout disagrees with WireProtocol");
        }
    }

    private int state = AT_FRAME_START;
    private int offset;
    private int errorCode;
    private final int[] identifyFields = new int[IDENTIFY_INTS];

    /** Forget any partial frame; use when a connection object is reused for a new connection. */
    public void reset()
    {
        state = AT_FRAME_START;
        offset = 0;
        errorCode = 0;
    }

    /** Stop decoding the current buffer silently: the connection is being closed. */
    public void stop()
    {
        state = BROKEN;
    }

    /** @return true once garbage was seen; nothing more is decoded until {@link #reset()}. */
    public boolean isBroken()
    {
        return state == BROKEN;
    }

    /** @return true when the last byte decoded ended a frame (no partial frame is pending). */
    public boolean atFrameBoundary()
    {
        return state == AT_FRAME_START;
    }

    /**
     * Decode {@code buffer} from its position to its limit, calling {@code listener} once per complete
     * frame. The buffer's position is advanced past every byte consumed (all of them, unless garbage
     * stopped decoding).
     */
    public void decode(final ByteBuffer buffer, final ReplyListener listener)
    {
        int position = buffer.position();
        final int limit = buffer.limit();
        while (position < limit && state != BROKEN)
        {
            final byte b = buffer.get(position++);
            switch (state)
            {
                case AT_FRAME_START:
                    startFrame(b, listener);
                    break;

                case IN_PING_REPLY:
                    if (b != PING_REPLY[offset])
                    {
                        broken(listener);
                    }
                    else if (++offset == PING_REPLY_LENGTH)
                    {
                        state = AT_FRAME_START;
                        listener.onPingReply();
                    }
                    break;

                case IN_IDENTIFY:
                    identifyByte(b, listener);
                    break;

                case IN_ERROR:
                    if (offset == ERROR_CODE_OFFSET)
                    {
                        errorCode = b & 0xFF;
                        offset++;
                    }
                    else if (b == WireProtocol.TERMINATOR)
                    {
                        state = AT_FRAME_START;
                        listener.onErrorReply(errorCode);
                    }
                    else if (++offset >= WireProtocol.MAX_FRAME_LENGTH)
                    {
                        broken(listener);
                    }
                    break;

                case IN_BROADCAST:
                    if (b == WireProtocol.TERMINATOR)
                    {
                        state = AT_FRAME_START;
                        listener.onBroadcast(offset + 1);
                    }
                    else if (++offset >= WireProtocol.MAX_FRAME_LENGTH)
                    {
                        broken(listener);
                    }
                    break;

                default:
                    throw new IllegalStateException("decoder state " + state);
            }
        }
        buffer.position(position);
    }

    private void startFrame(final byte b, final ReplyListener listener)
    {
        offset = 1;
        if (b == PING_REPLY[0])
        {
            state = IN_PING_REPLY;
        }
        else if (b == WireProtocol.IDENTIFY)
        {
            state = IN_IDENTIFY;
        }
        else if (b == WireProtocol.ERROR)
        {
            state = IN_ERROR;
        }
        else if (b == WireProtocol.BROADCAST)
        {
            state = IN_BROADCAST;
        }
        else
        {
            offset = 0;
            broken(listener);
        }
    }

    private void identifyByte(final byte b, final ReplyListener listener)
    {
        final int fieldIndex = (offset - IDENTIFY_PID_OFFSET) / Integer.BYTES;
        final int byteInField = (offset - IDENTIFY_PID_OFFSET) % Integer.BYTES;
        final int shifted = (b & 0xFF) << (Byte.SIZE * byteInField);
        identifyFields[fieldIndex] = byteInField == 0 ? shifted : identifyFields[fieldIndex] | shifted;
        if (++offset == IDENTIFY_LENGTH)
        {
            state = AT_FRAME_START;
            listener.onIdentifyReply(identifyFields[0], identifyFields[1], identifyFields[2], identifyFields[3]);
        }
    }

    private void broken(final ReplyListener listener)
    {
        final int at = offset;
        state = BROKEN;
        listener.onGarbage(at);
    }
}
