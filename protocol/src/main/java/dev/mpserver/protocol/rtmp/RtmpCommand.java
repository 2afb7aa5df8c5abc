package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A decoded command message (type 20, or 17 with its 0x00 prefix): name, transaction id, command
 * object and arguments, in the value model of {@link Amf0Reader#readValue()}.
 *
 * <pre>
 *   string name | number transaction id | command object (object or null) | argument ...
 *   "connect"     1                       {app, tcUrl, flashVer, ...}
 *   "publish"     5                       null                              "s1", "live"
 *   "_result"     4                       null                              1 (the stream id)
 *   "onStatus"    0                       null                              {level, code, description}
 * </pre>
 *
 * Commands are rare (a handful per connection), so decoding allocates; media never comes here. To
 * dispatch without decoding, {@link #isNamed} compares the name in place.
 */
public final class RtmpCommand
{
    private final String name;
    private final double transactionId;
    private final Object commandObject;
    private final List<Object> arguments;

    public RtmpCommand(final String name, final double transactionId, final Object commandObject, final List<Object> arguments)
    {
        this.name = name;
        this.transactionId = transactionId;
        this.commandObject = commandObject;
        this.arguments = Collections.unmodifiableList(arguments);
    }

    /**
     * Decode a command message's payload.
     *
     * @param typeId {@link MessageType#AMF0_COMMAND} or {@link MessageType#AMF3_COMMAND} (body after one byte).
     * @throws Amf0Exception when the body is malformed; the reason says where.
     */
    public static RtmpCommand decode(
        final Amf0Reader reader, final DirectBuffer buffer, final int offset, final int length, final int typeId)
    {
        final int skip = Math.min(length, MessageType.amf0BodyOffset(typeId));
        reader.wrap(buffer, offset + skip, length - skip);
        final String name = reader.readString();
        final double transactionId = reader.hasRemaining() ? reader.readNumber() : 0;
        final Object commandObject = reader.hasRemaining() ? reader.readValue() : null;
        final List<Object> arguments = new ArrayList<>();
        while (reader.hasRemaining())
        {
            arguments.add(reader.readValue());
        }
        return new RtmpCommand(name, transactionId, commandObject, arguments);
    }

    /** @return true if the command or data message's first value is this name; allocates nothing. */
    public static boolean isNamed(
        final DirectBuffer buffer, final int offset, final int length, final int typeId, final String name)
    {
        final int skip = MessageType.amf0BodyOffset(typeId);
        return length > skip && Amf0.isString(buffer, offset + skip, offset + length, name);
    }

    public String name()
    {
        return name;
    }

    public double transactionId()
    {
        return transactionId;
    }

    /** @return the command object: a Map for connect and connect's _result, usually null otherwise. */
    public Object commandObject()
    {
        return commandObject;
    }

    /** @return the arguments after the command object (unmodifiable). */
    public List<Object> arguments()
    {
        return arguments;
    }

    /** @return argument {@code index} if it is a string, else null. */
    public String stringArgument(final int index)
    {
        final Object value = index < arguments.size() ? arguments.get(index) : null;
        return value instanceof String ? (String)value : null;
    }

    /** @return argument {@code index} if it is a number, else {@code otherwise}. */
    public double numberArgument(final int index, final double otherwise)
    {
        final Object value = index < arguments.size() ? arguments.get(index) : null;
        return value instanceof Double ? (Double)value : otherwise;
    }

    /** @return a string property of the command object, or null. */
    public String commandObjectString(final String key)
    {
        return stringProperty(commandObject, key);
    }

    /**
     * @return a string property of the info object in the first argument: {@code code},
     * {@code level} or {@code description} of an {@code onStatus}, {@code _result} or {@code _error}.
     */
    public String infoString(final String key)
    {
        return stringProperty(arguments.isEmpty() ? null : arguments.get(0), key);
    }

    /** @return a number property of the info object in the first argument, or {@code otherwise}. */
    public double infoNumber(final String key, final double otherwise)
    {
        final Object info = arguments.isEmpty() ? null : arguments.get(0);
        final Object value = info instanceof Map ? ((Map<?, ?>)info).get(key) : null;
        return value instanceof Double ? (Double)value : otherwise;
    }

    static String stringProperty(final Object object, final String key)
    {
        if (object instanceof Map)
        {
            final Object value = ((Map<?, ?>)object).get(key);
            return value instanceof String ? (String)value : null;
        }
        return null;
    }

    @Override
    public String toString()
    {
        return name + "(" + transactionId + ", " + commandObject + ", " + arguments + ")";
    }
}
