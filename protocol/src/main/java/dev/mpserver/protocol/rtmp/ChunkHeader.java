package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Layout of an RTMP chunk header (RTMP 1.0 spec, 5.3.1): a basic header naming the chunk stream and
 * the header format, a message header of 11, 7, 3 or 0 bytes, and an optional extended timestamp.
 * Every offset the chunk codecs use is a constant here.
 *
 * <p>Basic header, 1 to 3 bytes; {@code fmt} is the 2-bit header format, csid the chunk stream id:
 * <pre>
 *   0 1 2 3 4 5 6 7
 *  +-+-+-+-+-+-+-+-+
 *  |fmt|   csid    |                                    csid 2..63         (1 byte)
 *  +-+-+-+-+-+-+-+-+
 *  +-+-+-+-+-+-+-+-+---------------+
 *  |fmt|     0     |   csid - 64   |                    csid 64..319       (2 bytes)
 *  +-+-+-+-+-+-+-+-+---------------+
 *  +-+-+-+-+-+-+-+-+-------------------------------+
 *  |fmt|     1     |  csid - 64: u16 little-endian |    csid 64..65599     (3 bytes)
 *  +-+-+-+-+-+-+-+-+-------------------------------+
 * </pre>
 * csid 0 and 1 are the escapes above and never chunk streams; csid 2 carries protocol control.
 *
 * <p>Message header, offsets from its first byte (the byte after the basic header):
 * <pre>
 *   0                       3                       6       7                               11
 *   +-----------------------+-----------------------+-------+-------------------------------+
 *   |  timestamp: u24 BE    | message length: u24 BE|type id| message stream id: u32 **LE** |  fmt 0
 *   +-----------------------+-----------------------+-------+-------------------------------+
 *   | timestamp delta u24 BE| message length: u24 BE|type id|                                  fmt 1
 *   +-----------------------+-----------------------+-------+
 *   | timestamp delta u24 BE|                                                                  fmt 2
 *   +-----------------------+
 *                                                                                              fmt 3: none
 *   ^ TIMESTAMP_OFFSET      ^ MESSAGE_LENGTH_OFFSET ^ TYPE_ID_OFFSET
 *                                                           ^ MESSAGE_STREAM_ID_OFFSET
 * </pre>
 *
 * <p>Extended timestamp, {@link #EXTENDED_TIMESTAMP_LENGTH} bytes after the message header, when the
 * 3-byte timestamp (or delta) field holds {@link #EXTENDED_TIMESTAMP_MARKER}:
 * <pre>
 *   0                               4
 *   +-------------------------------+
 *   | timestamp or delta: u32 BE    |
 *   +-------------------------------+
 * </pre>
 * A fmt 3 chunk carries it too when its chunk stream's last timestamp field was the marker: ffmpeg
 * ({@code rtmppkt.c}) and nginx-rtmp write it on every continuation chunk, and ffmpeg reads it there
 * unconditionally, so an encoder must repeat it; some senders do not (SRS detects that), so a
 * decoder must tolerate its absence ({@link ChunkHeaderReader}).
 *
 * <p>Timestamps: fmt 0 carries the absolute timestamp, fmt 1 and 2 a delta to the chunk stream's
 * previous message, a fmt 3 that starts a message repeats the previous delta, where the delta after
 * a fmt 0 is that fmt 0's timestamp (spec 5.3.1.2.4; ffmpeg and SRS read it so). Timestamps are
 * 32-bit and wrap.
 */
public final class ChunkHeader
{
    public static final int FMT_0 = 0;
    public static final int FMT_1 = 1;
    public static final int FMT_2 = 2;
    public static final int FMT_3 = 3;

    public static final int FMT_SHIFT = 6;
    public static final int CSID_MASK = 0x3F;

    /** Basic-header csid field value announcing a 2-byte basic header. */
    public static final int CSID_FIELD_TWO_BYTES = 0;
    /** Basic-header csid field value announcing a 3-byte basic header. */
    public static final int CSID_FIELD_THREE_BYTES = 1;
    /** Offset of the escaped csid encodings: the second byte holds csid - 64. */
    public static final int CSID_ESCAPE_BASE = 64;

    public static final int MIN_CSID = 2;
    public static final int MAX_ONE_BYTE_CSID = 63;
    public static final int MAX_TWO_BYTE_CSID = 319;
    public static final int MAX_CSID = 65599;

    /** The chunk stream of protocol control messages (types 1, 2, 3, 5, 6) and, by convention, user control. */
    public static final int PROTOCOL_CONTROL_CSID = 2;

    public static final int TIMESTAMP_OFFSET = 0;
    public static final int FIELD24_LENGTH = 3;
    public static final int MESSAGE_LENGTH_OFFSET = TIMESTAMP_OFFSET + FIELD24_LENGTH;
    public static final int TYPE_ID_OFFSET = MESSAGE_LENGTH_OFFSET + FIELD24_LENGTH;
    public static final int MESSAGE_STREAM_ID_OFFSET = TYPE_ID_OFFSET + Byte.BYTES;

    public static final int FMT_0_LENGTH = MESSAGE_STREAM_ID_OFFSET + Integer.BYTES;
    public static final int FMT_1_LENGTH = TYPE_ID_OFFSET + Byte.BYTES;
    public static final int FMT_2_LENGTH = TIMESTAMP_OFFSET + FIELD24_LENGTH;
    public static final int FMT_3_LENGTH = 0;

    public static final int EXTENDED_TIMESTAMP_LENGTH = Integer.BYTES;
    /** A 3-byte timestamp field holding this says: the value is in the extended timestamp. */
    public static final int EXTENDED_TIMESTAMP_MARKER = 0xFFFFFF;

    public static final int MAX_BASIC_HEADER_LENGTH = 3;
    /** Longest chunk header: 3-byte basic header, fmt 0, extended timestamp (18 bytes). */
    public static final int MAX_HEADER_LENGTH = MAX_BASIC_HEADER_LENGTH + FMT_0_LENGTH + EXTENDED_TIMESTAMP_LENGTH;

    /** Largest message the 3-byte length field can describe. */
    public static final int MAX_MESSAGE_LENGTH = 0xFFFFFF;

    /** Chunk size in both directions until a Set Chunk Size says otherwise. */
    public static final int DEFAULT_CHUNK_SIZE = 128;
    /** Set Chunk Size's value is 31 bits (its top bit must be 0). */
    public static final int MAX_CHUNK_SIZE = 0x7FFFFFFF;

    private static final int[] MESSAGE_HEADER_LENGTH = { FMT_0_LENGTH, FMT_1_LENGTH, FMT_2_LENGTH, FMT_3_LENGTH };

    private ChunkHeader()
    {
    }

    /** @return the message header length of a header format: 11, 7, 3 or 0. */
    public static int messageHeaderLength(final int fmt)
    {
        return MESSAGE_HEADER_LENGTH[fmt];
    }

    /** @return 1, 2 or 3: the basic header length for a chunk stream id. */
    public static int basicHeaderLength(final int csid)
    {
        if (csid <= MAX_ONE_BYTE_CSID)
        {
            return 1;
        }
        return csid <= MAX_TWO_BYTE_CSID ? 2 : 3;
    }

    /** @return true for a chunk stream id that can be encoded (2..65599). */
    public static boolean isValidCsid(final int csid)
    {
        return csid >= MIN_CSID && csid <= MAX_CSID;
    }

    /**
     * Write a basic header.
     *
     * @param csid a valid chunk stream id ({@link #isValidCsid}).
     * @return the index after it.
     */
    public static int putBasicHeader(final MutableDirectBuffer buffer, final int index, final int fmt, final int csid)
    {
        final int fmtBits = fmt << FMT_SHIFT;
        if (csid <= MAX_ONE_BYTE_CSID)
        {
            buffer.putByte(index, (byte)(fmtBits | csid));
            return index + 1;
        }
        if (csid <= MAX_TWO_BYTE_CSID)
        {
            buffer.putByte(index, (byte)(fmtBits | CSID_FIELD_TWO_BYTES));
            buffer.putByte(index + 1, (byte)(csid - CSID_ESCAPE_BASE));
            return index + 2;
        }
        buffer.putByte(index, (byte)(fmtBits | CSID_FIELD_THREE_BYTES));
        buffer.putShort(index + 1, (short)(csid - CSID_ESCAPE_BASE), ByteOrder.LITTLE_ENDIAN);
        return index + 3;
    }

    /** Write a 3-byte big-endian field (timestamp, delta or length). */
    public static void putInt24(final MutableDirectBuffer buffer, final int index, final int value)
    {
        buffer.putByte(index, (byte)(value >>> 16));
        buffer.putByte(index + 1, (byte)(value >>> 8));
        buffer.putByte(index + 2, (byte)value);
    }

    /** Read a 3-byte big-endian field. */
    public static int getInt24(final DirectBuffer buffer, final int index)
    {
        return ((buffer.getByte(index) & 0xFF) << 16) |
            ((buffer.getByte(index + 1) & 0xFF) << 8) |
            (buffer.getByte(index + 2) & 0xFF);
    }
}
