package dev.mpserver.protocol.rtmp;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

/**
 * Writes AMF0 values (layouts: {@link Amf0}) into a buffer, as a cursor. The typed methods allocate
 * nothing (strings are UTF-8 encoded straight from the {@code CharSequence}), so replies such as
 * {@code _result} or {@code onStatus} are written without building maps:
 * <pre>{@code
 * writer.wrap(buffer, 0)
 *     .string("onStatus").number(0).nullValue()
 *     .objectStart()
 *         .property("level", "status")
 *         .property("code", "NetStream.Play.Start")
 *         .property("description", "Started playing.")
 *     .objectEnd();
 * int length = writer.length();
 * }</pre>
 * An expandable buffer grows as needed; a fixed one must be large enough or
 * {@code IndexOutOfBoundsException} is thrown. {@link #value(Object)} writes the decoded value model
 * back (iterating maps allocates; for tests and rare messages).
 */
public final class Amf0Writer
{
    private static final int MAX_ONE_BYTE = 0x7F;
    private static final int MAX_TWO_BYTES = 0x7FF;
    private static final char REPLACEMENT = '?';

    private MutableDirectBuffer buffer;
    private int start;
    private int position;

    /** Write from {@code offset} on. */
    public Amf0Writer wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.start = offset;
        this.position = offset;
        return this;
    }

    /** @return the index after the last byte written. */
    public int position()
    {
        return position;
    }

    /** @return bytes written since {@link #wrap}. */
    public int length()
    {
        return position - start;
    }

    public Amf0Writer number(final double value)
    {
        buffer.putByte(position, (byte)Amf0.NUMBER);
        buffer.putDouble(position + Amf0.MARKER_LENGTH, value, ByteOrder.BIG_ENDIAN);
        position += Amf0.NUMBER_LENGTH;
        return this;
    }

    public Amf0Writer bool(final boolean value)
    {
        buffer.putByte(position, (byte)Amf0.BOOLEAN);
        buffer.putByte(position + Amf0.MARKER_LENGTH, (byte)(value ? 1 : 0));
        position += Amf0.BOOLEAN_LENGTH;
        return this;
    }

    /** A string value; a long string (0x0C) when its UTF-8 form is over 65535 bytes. */
    public Amf0Writer string(final CharSequence value)
    {
        final int length = utf8Length(value);
        if (length > Amf0.MAX_SHORT_STRING_LENGTH)
        {
            buffer.putByte(position, (byte)Amf0.LONG_STRING);
            buffer.putInt(position + Amf0.MARKER_LENGTH, length, ByteOrder.BIG_ENDIAN);
            position += Amf0.MARKER_LENGTH + Amf0.LONG_LENGTH_FIELD;
        }
        else
        {
            buffer.putByte(position, (byte)Amf0.STRING);
            buffer.putShort(position + Amf0.MARKER_LENGTH, (short)length, ByteOrder.BIG_ENDIAN);
            position += Amf0.MARKER_LENGTH + Amf0.SHORT_LENGTH_FIELD;
        }
        position = putUtf8(value, position);
        return this;
    }

    public Amf0Writer nullValue()
    {
        return marker(Amf0.NULL);
    }

    public Amf0Writer undefined()
    {
        return marker(Amf0.UNDEFINED);
    }

    /** @param epochMillis milliseconds since the epoch; the time zone field is written as 0 (spec). */
    public Amf0Writer date(final double epochMillis)
    {
        buffer.putByte(position, (byte)Amf0.DATE);
        buffer.putDouble(position + Amf0.MARKER_LENGTH, epochMillis, ByteOrder.BIG_ENDIAN);
        buffer.putShort(position + Amf0.MARKER_LENGTH + Double.BYTES, (short)0, ByteOrder.BIG_ENDIAN);
        position += Amf0.DATE_LENGTH;
        return this;
    }

    /** Start an anonymous object; write properties, then {@link #objectEnd()}. */
    public Amf0Writer objectStart()
    {
        return marker(Amf0.OBJECT);
    }

    /** Start a typed object; write properties, then {@link #objectEnd()}. */
    public Amf0Writer typedObjectStart(final CharSequence className)
    {
        marker(Amf0.TYPED_OBJECT);
        return name(className);
    }

    /**
     * Start an ECMA array (what onMetaData carries); write properties, then {@link #objectEnd()}.
     *
     * @param count the property count written in its header (a hint to readers; ffmpeg writes the real count).
     */
    public Amf0Writer ecmaArrayStart(final int count)
    {
        buffer.putByte(position, (byte)Amf0.ECMA_ARRAY);
        buffer.putInt(position + Amf0.MARKER_LENGTH, count, ByteOrder.BIG_ENDIAN);
        position += Amf0.MARKER_LENGTH + Amf0.ARRAY_COUNT_FIELD;
        return this;
    }

    /** Start a strict array; write exactly {@code count} values after it. */
    public Amf0Writer strictArrayStart(final int count)
    {
        buffer.putByte(position, (byte)Amf0.STRICT_ARRAY);
        buffer.putInt(position + Amf0.MARKER_LENGTH, count, ByteOrder.BIG_ENDIAN);
        position += Amf0.MARKER_LENGTH + Amf0.ARRAY_COUNT_FIELD;
        return this;
    }

    /** End an object, typed object or ECMA array: 00 00 09. */
    public Amf0Writer objectEnd()
    {
        buffer.putShort(position, (short)0, ByteOrder.BIG_ENDIAN);
        buffer.putByte(position + Amf0.SHORT_LENGTH_FIELD, (byte)Amf0.OBJECT_END);
        position += Amf0.OBJECT_END_LENGTH;
        return this;
    }

    /** A property name (no marker); write its value next. */
    public Amf0Writer name(final CharSequence name)
    {
        final int length = utf8Length(name);
        if (length > Amf0.MAX_SHORT_STRING_LENGTH)
        {
            throw new IllegalArgumentException("property name of " + length + " UTF-8 bytes, over 65535");
        }
        if (length == 0)
        {
            throw new IllegalArgumentException("an empty property name would read as the object end");
        }
        buffer.putShort(position, (short)length, ByteOrder.BIG_ENDIAN);
        position = putUtf8(name, position + Amf0.SHORT_LENGTH_FIELD);
        return this;
    }

    public Amf0Writer property(final CharSequence name, final CharSequence value)
    {
        return name(name).string(value);
    }

    public Amf0Writer property(final CharSequence name, final double value)
    {
        return name(name).number(value);
    }

    public Amf0Writer property(final CharSequence name, final boolean value)
    {
        return name(name).bool(value);
    }

    public Amf0Writer nullProperty(final CharSequence name)
    {
        return name(name).nullValue();
    }

    /**
     * Write a value of the model {@link Amf0Reader#readValue()} produces: null, Boolean, Number
     * (as a double), CharSequence, Map (as an object, String keys), List (as a strict array),
     * {@link Amf0Date}, {@link Amf0TypedObject}. Allocates (iterators); not for hot paths.
     */
    public Amf0Writer value(final Object value)
    {
        if (null == value)
        {
            return nullValue();
        }
        if (value instanceof Boolean)
        {
            return bool((Boolean)value);
        }
        if (value instanceof Number)
        {
            return number(((Number)value).doubleValue());
        }
        if (value instanceof CharSequence)
        {
            return string((CharSequence)value);
        }
        if (value instanceof Amf0Date)
        {
            return date(((Amf0Date)value).epochMillis());
        }
        if (value instanceof Amf0TypedObject)
        {
            final Amf0TypedObject typed = (Amf0TypedObject)value;
            typedObjectStart(typed.className());
            return properties(typed.properties()).objectEnd();
        }
        if (value instanceof Map)
        {
            objectStart();
            return properties((Map<?, ?>)value).objectEnd();
        }
        if (value instanceof List)
        {
            final List<?> list = (List<?>)value;
            strictArrayStart(list.size());
            for (final Object element : list)
            {
                value(element);
            }
            return this;
        }
        throw new IllegalArgumentException("no AMF0 form for " + value.getClass().getName());
    }

    private Amf0Writer properties(final Map<?, ?> properties)
    {
        for (final Map.Entry<?, ?> property : properties.entrySet())
        {
            name(String.valueOf(property.getKey())).value(property.getValue());
        }
        return this;
    }

    private Amf0Writer marker(final int marker)
    {
        buffer.putByte(position, (byte)marker);
        position += Amf0.MARKER_LENGTH;
        return this;
    }

    /** @return the UTF-8 length of the text; an unpaired surrogate counts as one '?' byte. */
    static int utf8Length(final CharSequence text)
    {
        int length = 0;
        final int count = text.length();
        for (int i = 0; i < count; i++)
        {
            final char c = text.charAt(i);
            if (c <= MAX_ONE_BYTE)
            {
                length += 1;
            }
            else if (c <= MAX_TWO_BYTES)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < count && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                length += 1;
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    private int putUtf8(final CharSequence text, final int index)
    {
        int at = index;
        final int count = text.length();
        for (int i = 0; i < count; i++)
        {
            final char c = text.charAt(i);
            if (c <= MAX_ONE_BYTE)
            {
                buffer.putByte(at++, (byte)c);
            }
            else if (c <= MAX_TWO_BYTES)
            {
                buffer.putByte(at++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < count && Character.isLowSurrogate(text.charAt(i + 1)))
            {
                final int codePoint = Character.toCodePoint(c, text.charAt(++i));
                buffer.putByte(at++, (byte)(0xF0 | (codePoint >> 18)));
                buffer.putByte(at++, (byte)(0x80 | ((codePoint >> 12) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | ((codePoint >> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (codePoint & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                buffer.putByte(at++, (byte)REPLACEMENT);
            }
            else
            {
                buffer.putByte(at++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(at++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(at++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return at;
    }
}
