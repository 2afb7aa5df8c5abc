package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads AMF0 values (layouts: {@link Amf0}) from a bounded region, as a cursor.
 *
 * <p>Two ways to read. The typed reads ({@link #readNumber()}, {@link #readString()},
 * {@link #skipValue()}, {@link #nextIsString(String)} ...) are for code that knows what comes; only
 * {@link #readString()} allocates (the String). {@link #readValue()} builds the small value model
 * that commands are decoded into, which is fine because commands are rare:
 * <pre>
 *   number → Double          boolean → Boolean           string, long string, XML → String
 *   object, ECMA array → Map&lt;String, Object&gt; (LinkedHashMap, wire order)
 *   strict array → List&lt;Object&gt;   date → {@link Amf0Date}   typed object → {@link Amf0TypedObject}
 *   null, undefined, unsupported → null                   reference → the same Map/List object again
 * </pre>
 *
 * <p>Bounded: every length and count is checked against the bytes left before anything is read or
 * allocated, nesting deeper than {@code maxDepth} is refused, and a reference may only point to an
 * object that is complete (no cycles). Malformed input throws {@link Amf0Exception} with the reason
 * and position, never an {@code IndexOutOfBoundsException}. A reference to an object that was
 * skipped rather than read is refused the same way. An ECMA array whose object end is missing
 * at the very end of the region is accepted as ended (some encoders write metadata so); an object's
 * is not.
 */
public final class Amf0Reader
{
    /** Deeper than any command or metadata a real peer sends. */
    public static final int DEFAULT_MAX_DEPTH = 16;

    /** Holds the place of an object that was skipped: references count it, but cannot return it. */
    private static final Object SKIPPED = new Object();

    private final int maxDepth;
    private final List<Object> complexValues = new ArrayList<>();
    private DirectBuffer buffer;
    private int position;
    private int limit;
    private int depth;

    public Amf0Reader()
    {
        this(DEFAULT_MAX_DEPTH);
    }

    /** @param maxDepth most objects and arrays nested in one another. */
    public Amf0Reader(final int maxDepth)
    {
        this.maxDepth = maxDepth;
    }

    /** Read the region {@code [offset, offset + length)} from its start; forgets earlier references. */
    public Amf0Reader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        this.depth = 0;
        complexValues.clear();
        return this;
    }

    public int position()
    {
        return position;
    }

    public int remaining()
    {
        return limit - position;
    }

    public boolean hasRemaining()
    {
        return position < limit;
    }

    /** @return the marker of the next value without moving. */
    public int peekMarker()
    {
        need(Amf0.MARKER_LENGTH, "a value");
        return buffer.getByte(position) & 0xFF;
    }

    public double readNumber()
    {
        expectMarker(Amf0.NUMBER, "a number");
        return number();
    }

    public boolean readBoolean()
    {
        expectMarker(Amf0.BOOLEAN, "a boolean");
        need(Byte.BYTES, "a boolean");
        return buffer.getByte(position++) != 0;
    }

    /** @return a string or long string value. */
    public String readString()
    {
        final int marker = peekMarker();
        if (Amf0.STRING != marker && Amf0.LONG_STRING != marker)
        {
            throw new Amf0Exception("expected a string, found marker 0x" + Integer.toHexString(marker), position);
        }
        position++;
        return Amf0.STRING == marker ? utf8(shortLength()) : utf8(longLength());
    }

    /** Consume a null or undefined value (what commands carry where they have no object). */
    public void readNull()
    {
        final int marker = peekMarker();
        if (Amf0.NULL != marker && Amf0.UNDEFINED != marker)
        {
            throw new Amf0Exception("expected null, found marker 0x" + Integer.toHexString(marker), position);
        }
        position++;
    }

    /**
     * @return true, and the string consumed, if the next value is a short string equal to this ASCII
     * text; false, nothing consumed, otherwise. Allocates nothing.
     */
    public boolean nextIsString(final String ascii)
    {
        if (Amf0.isString(buffer, position, limit, ascii))
        {
            position += Amf0.stringLength(ascii);
            return true;
        }
        return false;
    }

    /** Move past the next value, whatever it is, without allocating. */
    public void skipValue()
    {
        final int start = position;
        final int marker = peekMarker();
        position++;
        switch (marker)
        {
            case Amf0.NUMBER:
                skip(Double.BYTES, "a number");
                break;
            case Amf0.BOOLEAN:
                skip(Byte.BYTES, "a boolean");
                break;
            case Amf0.STRING:
                skip(shortLength(), "a string");
                break;
            case Amf0.LONG_STRING:
            case Amf0.XML_DOCUMENT:
                skip(longLength(), "a long string");
                break;
            case Amf0.NULL:
            case Amf0.UNDEFINED:
            case Amf0.UNSUPPORTED:
                break;
            case Amf0.REFERENCE:
                skip(Short.BYTES, "a reference");
                break;
            case Amf0.DATE:
                skip(Double.BYTES + Short.BYTES, "a date");
                break;
            case Amf0.OBJECT:
                enterSkipped(start);
                skipProperties(false);
                depth--;
                break;
            case Amf0.TYPED_OBJECT:
                enterSkipped(start);
                skip(shortLength(), "a class name");
                skipProperties(false);
                depth--;
                break;
            case Amf0.ECMA_ARRAY:
                enterSkipped(start);
                skip(Amf0.ARRAY_COUNT_FIELD, "an ECMA array count");
                skipProperties(true);
                depth--;
                break;
            case Amf0.STRICT_ARRAY:
                enterSkipped(start);
                final long count = arrayCount();
                for (long i = 0; i < count; i++)
                {
                    skipValue();
                }
                depth--;
                break;
            default:
                throw unsupported(marker, start);
        }
    }

    /** @return the next value in the value model (see the class comment). */
    public Object readValue()
    {
        final int start = position;
        final int marker = peekMarker();
        position++;
        switch (marker)
        {
            case Amf0.NUMBER:
                return number();
            case Amf0.BOOLEAN:
                need(Byte.BYTES, "a boolean");
                return buffer.getByte(position++) != 0;
            case Amf0.STRING:
                return utf8(shortLength());
            case Amf0.LONG_STRING:
            case Amf0.XML_DOCUMENT:
                return utf8(longLength());
            case Amf0.NULL:
            case Amf0.UNDEFINED:
            case Amf0.UNSUPPORTED:
                return null;
            case Amf0.REFERENCE:
                return reference(start);
            case Amf0.DATE:
                final double millis = number();
                need(Short.BYTES, "a date's time zone");
                final int timezone = buffer.getShort(position, ByteOrder.BIG_ENDIAN);
                position += Short.BYTES;
                return new Amf0Date(millis, timezone);
            case Amf0.OBJECT:
                return readProperties(start, false);
            case Amf0.ECMA_ARRAY:
                skip(Amf0.ARRAY_COUNT_FIELD, "an ECMA array count");
                return readProperties(start, true);
            case Amf0.TYPED_OBJECT:
                final String className = utf8(shortLength());
                return new Amf0TypedObject(className, readProperties(start, false));
            case Amf0.STRICT_ARRAY:
                return readStrictArray(start);
            default:
                throw unsupported(marker, start);
        }
    }

    private Map<String, Object> readProperties(final int start, final boolean ecmaArray)
    {
        enter(start);
        final Map<String, Object> properties = new LinkedHashMap<>();
        final int index = complexValues.size();
        complexValues.add(null);   // unfinished: a reference to it now would make a cycle
        while (!atObjectEnd(ecmaArray))
        {
            final String name = utf8(shortLength());
            properties.put(name, readValue());
        }
        complexValues.set(index, properties);
        depth--;
        return properties;
    }

    private List<Object> readStrictArray(final int start)
    {
        enter(start);
        final long count = arrayCount();
        final List<Object> values = new ArrayList<>((int)Math.min(count, 16));
        final int index = complexValues.size();
        complexValues.add(null);
        for (long i = 0; i < count; i++)
        {
            values.add(readValue());
        }
        complexValues.set(index, values);
        depth--;
        return values;
    }

    private void skipProperties(final boolean ecmaArray)
    {
        while (!atObjectEnd(ecmaArray))
        {
            skip(shortLength(), "a property name");
            skipValue();
        }
    }

    /** @return true, and the object end consumed, if the next property is the end. */
    private boolean atObjectEnd(final boolean ecmaArray)
    {
        if (ecmaArray && position == limit)
        {
            return true;
        }
        need(Amf0.SHORT_LENGTH_FIELD, "a property name or object end");
        if (buffer.getShort(position, ByteOrder.BIG_ENDIAN) != 0)
        {
            return false;
        }
        need(Amf0.OBJECT_END_LENGTH, "an object end");
        final int marker = buffer.getByte(position + Amf0.SHORT_LENGTH_FIELD) & 0xFF;
        if (Amf0.OBJECT_END != marker)
        {
            throw new Amf0Exception(
                "empty property name followed by marker 0x" + Integer.toHexString(marker) + ", not the object end", position);
        }
        position += Amf0.OBJECT_END_LENGTH;
        return true;
    }

    private Object reference(final int start)
    {
        need(Short.BYTES, "a reference");
        final int index = buffer.getShort(position, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        position += Short.BYTES;
        if (index >= complexValues.size())
        {
            throw new Amf0Exception("reference " + index + " to one of " + complexValues.size() + " objects", start);
        }
        final Object value = complexValues.get(index);
        if (null == value)
        {
            throw new Amf0Exception("reference " + index + " to an object that is not finished", start);
        }
        if (SKIPPED == value)
        {
            throw new Amf0Exception("reference " + index + " to an object that was skipped, not read", start);
        }
        return value;
    }

    /** Enter a complex value that is skipped: it still takes its number for later references. */
    private void enterSkipped(final int start)
    {
        enter(start);
        complexValues.add(SKIPPED);   // the list keeps its capacity across wraps: no allocation once grown
    }

    private void enter(final int start)
    {
        if (++depth > maxDepth)
        {
            throw new Amf0Exception("objects nested deeper than " + maxDepth, start);
        }
    }

    private long arrayCount()
    {
        need(Amf0.ARRAY_COUNT_FIELD, "a strict array count");
        final long count = buffer.getInt(position, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        position += Amf0.ARRAY_COUNT_FIELD;
        // Every element takes at least its marker byte: a count beyond that is a lie, not a reason to loop.
        if (count > limit - position)
        {
            throw new Amf0Exception("strict array of " + count + " elements in " + (limit - position) + " bytes", position);
        }
        return count;
    }

    private double number()
    {
        need(Double.BYTES, "a number");
        final double value = buffer.getDouble(position, ByteOrder.BIG_ENDIAN);
        position += Double.BYTES;
        return value;
    }

    private int shortLength()
    {
        need(Amf0.SHORT_LENGTH_FIELD, "a string length");
        final int length = buffer.getShort(position, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        position += Amf0.SHORT_LENGTH_FIELD;
        return length;
    }

    private int longLength()
    {
        need(Amf0.LONG_LENGTH_FIELD, "a long string length");
        final long length = buffer.getInt(position, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL;
        position += Amf0.LONG_LENGTH_FIELD;
        if (length > limit - position)
        {
            throw new Amf0Exception("long string of " + length + " bytes with " + (limit - position) + " left", position);
        }
        return (int)length;
    }

    private String utf8(final int length)
    {
        need(length, "string bytes");
        final byte[] bytes = new byte[length];
        buffer.getBytes(position, bytes);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void expectMarker(final int expected, final String what)
    {
        final int marker = peekMarker();
        if (expected != marker)
        {
            throw new Amf0Exception("expected " + what + ", found marker 0x" + Integer.toHexString(marker), position);
        }
        position++;
    }

    private void skip(final int length, final String what)
    {
        need(length, what);
        position += length;
    }

    private void need(final int length, final String what)
    {
        if (length > limit - position)
        {
            throw new Amf0Exception(
                "truncated: " + what + " needs " + length + " bytes, " + (limit - position) + " left", position);
        }
    }

    private static Amf0Exception unsupported(final int marker, final int position)
    {
        if (Amf0.AVMPLUS_OBJECT == marker)
        {
            return new Amf0Exception("AMF3 value (marker 0x11) is not supported", position);
        }
        if (Amf0.OBJECT_END == marker)
        {
            return new Amf0Exception("object end marker where a value belongs", position);
        }
        return new Amf0Exception("unknown or reserved AMF0 marker 0x" + Integer.toHexString(marker), position);
    }
}
