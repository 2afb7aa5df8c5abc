package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Bodies of User Control messages (type 4, RTMP 1.0 spec 7.1.7): an event type and its data, all
 * big-endian, sent on chunk stream 2, message stream 0.
 *
 * <pre>
 *   0               2                               6                               10
 *   +---------------+-------------------------------+-------------------------------+
 *   | event type u16| stream id / timestamp: u32    | buffer length ms: u32         |
 *   +---------------+-------------------------------+-------------------------------+
 *   ^ EVENT_TYPE_OFFSET
 *                   ^ EVENT_DATA_OFFSET              ^ BUFFER_LENGTH_OFFSET (SetBufferLength only)
 *
 *   0 StreamBegin      stream id          server: the stream is ready (before Play.Start)
 *   1 StreamEOF        stream id          server: playback is over
 *   2 StreamDry        stream id          server: no more data for now
 *   3 SetBufferLength  stream id, ms      client: its buffer length (ffmpeg sends 3000 after play)
 *   4 StreamIsRecorded stream id          server: the stream is recorded
 *   6 PingRequest      timestamp          server: answer with a PingResponse of the same timestamp
 *   7 PingResponse     timestamp          client
 * </pre>
 */
public final class UserControl
{
    public static final int STREAM_BEGIN = 0;
    public static final int STREAM_EOF = 1;
    public static final int STREAM_DRY = 2;
    public static final int SET_BUFFER_LENGTH = 3;
    public static final int STREAM_IS_RECORDED = 4;
    public static final int PING_REQUEST = 6;
    public static final int PING_RESPONSE = 7;

    public static final int EVENT_TYPE_OFFSET = 0;
    public static final int EVENT_DATA_OFFSET = EVENT_TYPE_OFFSET + Short.BYTES;
    public static final int BUFFER_LENGTH_OFFSET = EVENT_DATA_OFFSET + Integer.BYTES;

    /** Every event but SetBufferLength: type + one u32. */
    public static final int EVENT_LENGTH = EVENT_DATA_OFFSET + Integer.BYTES;
    public static final int SET_BUFFER_LENGTH_LENGTH = BUFFER_LENGTH_OFFSET + Integer.BYTES;

    /** Longest User Control body this class writes. */
    public static final int MAX_LENGTH = SET_BUFFER_LENGTH_LENGTH;

    private UserControl()
    {
    }

    /**
     * Write an event whose data is one u32: a stream id (StreamBegin, StreamEOF, StreamDry,
     * StreamIsRecorded) or a timestamp (PingRequest, PingResponse).
     *
     * @return bytes written: 6.
     */
    public static int putEvent(final MutableDirectBuffer buffer, final int offset, final int eventType, final int data)
    {
        buffer.putShort(offset + EVENT_TYPE_OFFSET, (short)eventType, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + EVENT_DATA_OFFSET, data, ByteOrder.BIG_ENDIAN);
        return EVENT_LENGTH;
    }

    /** @return bytes written: 10. */
    public static int putSetBufferLength(
        final MutableDirectBuffer buffer, final int offset, final int streamId, final int bufferMillis)
    {
        buffer.putShort(offset + EVENT_TYPE_OFFSET, (short)SET_BUFFER_LENGTH, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + EVENT_DATA_OFFSET, streamId, ByteOrder.BIG_ENDIAN);
        buffer.putInt(offset + BUFFER_LENGTH_OFFSET, bufferMillis, ByteOrder.BIG_ENDIAN);
        return SET_BUFFER_LENGTH_LENGTH;
    }

    /**
     * @param length the body's length; an event is readable when it is at least {@link #EVENT_LENGTH}
     *               (and {@link #SET_BUFFER_LENGTH_LENGTH} for SetBufferLength).
     * @return true if the body holds a whole event of its type.
     */
    public static boolean isComplete(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < EVENT_LENGTH)
        {
            return false;
        }
        return eventType(buffer, offset) != SET_BUFFER_LENGTH || length >= SET_BUFFER_LENGTH_LENGTH;
    }

    public static int eventType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + EVENT_TYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    /** @return the stream id or ping timestamp of an event. */
    public static int eventData(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + EVENT_DATA_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** @return the buffer length in milliseconds of a SetBufferLength event. */
    public static int bufferLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + BUFFER_LENGTH_OFFSET, ByteOrder.BIG_ENDIAN);
    }
}
