package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * AMF0 (Adobe Action Message Format 0) type markers and value layouts. Every value starts with its
 * one-byte marker; numbers are big-endian.
 *
 * <pre>
 * 0x00 number        marker, f64 BE                                                     9 bytes
 * 0x01 boolean       marker, u8 (0 false, else true)                                    2 bytes
 * 0x02 string        marker, u16 BE length, UTF-8 bytes                                 3 + n
 * 0x03 object        marker, { u16 name length, UTF-8 name, value }*, 00 00 09         4 + ...
 * 0x05 null          marker                                                             1 byte
 * 0x06 undefined     marker                                                             1 byte
 * 0x07 reference     marker, u16 BE index of an earlier object/array/typed object       3 bytes
 * 0x08 ECMA array    marker, u32 BE count (a hint), properties as an object, 00 00 09   8 + ...
 * 0x09 object end    only after an empty name (00 00) inside an object or ECMA array
 * 0x0A strict array  marker, u32 BE count, count values                                 5 + ...
 * 0x0B date          marker, f64 BE milliseconds since the epoch, s16 BE time zone     11 bytes
 * 0x0C long string   marker, u32 BE length, UTF-8 bytes                                 5 + n
 * 0x0D unsupported   marker                                                             1 byte
 * 0x0F XML document  marker, u32 BE length, UTF-8 bytes (as a long string)              5 + n
 * 0x10 typed object  marker, u16 length + UTF-8 class name, properties as an object     ...
 * 0x11 AVM+ (AMF3)   switch to AMF3 for one value: not supported here
 * 0x04 movie clip, 0x0E record set: reserved, never sent
 * </pre>
 *
 * <p>Property names and the empty name before an object end:
 * <pre>
 *   0               2                    2+n
 *   +---------------+--------------------+
 *   | u16 BE length | UTF-8 name: n bytes|   then the value (with its marker)
 *   +---------------+--------------------+
 *   +---------------+-------+
 *   |     00 00     |  09   |                object end: an empty name, then marker 0x09
 *   +---------------+-------+
 * </pre>
 */
public final class Amf0
{
    public static final int NUMBER = 0x00;
    public static final int BOOLEAN = 0x01;
    public static final int STRING = 0x02;
    public static final int OBJECT = 0x03;
    public static final int MOVIE_CLIP = 0x04;
    public static final int NULL = 0x05;
    public static final int UNDEFINED = 0x06;
    public static final int REFERENCE = 0x07;
    public static final int ECMA_ARRAY = 0x08;
    public static final int OBJECT_END = 0x09;
    public static final int STRICT_ARRAY = 0x0A;
    public static final int DATE = 0x0B;
    public static final int LONG_STRING = 0x0C;
    public static final int UNSUPPORTED = 0x0D;
    public static final int RECORD_SET = 0x0E;
    public static final int XML_DOCUMENT = 0x0F;
    public static final int TYPED_OBJECT = 0x10;
    public static final int AVMPLUS_OBJECT = 0x11;

    public static final int MARKER_LENGTH = 1;
    public static final int NUMBER_LENGTH = MARKER_LENGTH + Double.BYTES;
    public static final int BOOLEAN_LENGTH = MARKER_LENGTH + Byte.BYTES;
    public static final int SHORT_LENGTH_FIELD = Short.BYTES;
    public static final int LONG_LENGTH_FIELD = Integer.BYTES;
    public static final int ARRAY_COUNT_FIELD = Integer.BYTES;
    public static final int REFERENCE_LENGTH = MARKER_LENGTH + Short.BYTES;
    public static final int DATE_LENGTH = MARKER_LENGTH + Double.BYTES + Short.BYTES;
    /** The empty name and marker that end an object or ECMA array: 00 00 09. */
    public static final int OBJECT_END_LENGTH = SHORT_LENGTH_FIELD + MARKER_LENGTH;

    /** Longest string with a u16 length; longer ones are long strings. */
    public static final int MAX_SHORT_STRING_LENGTH = 0xFFFF;

    private Amf0()
    {
    }

    /**
     * @return true if the AMF0 value at {@code offset} is a string (short form) equal to the given
     * ASCII text; reads within {@code [offset, limit)} only, allocates nothing.
     */
    public static boolean isString(final DirectBuffer buffer, final int offset, final int limit, final String ascii)
    {
        final int length = ascii.length();
        if (limit - offset < MARKER_LENGTH + SHORT_LENGTH_FIELD + length || (buffer.getByte(offset) & 0xFF) != STRING)
        {
            return false;
        }
        if ((buffer.getShort(offset + MARKER_LENGTH, ByteOrder.BIG_ENDIAN) & 0xFFFF) != length)
        {
            return false;
        }
        final int text = offset + MARKER_LENGTH + SHORT_LENGTH_FIELD;
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(text + i) != (byte)ascii.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    /** @return the encoded length of a short string value holding this ASCII text: 3 + length. */
    public static int stringLength(final String ascii)
    {
        return MARKER_LENGTH + SHORT_LENGTH_FIELD + ascii.length();
    }
}
