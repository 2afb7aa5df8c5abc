package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds test streams byte by byte, independently of {@link WireEncoder}, so that the parsers are
 * checked against the protocol as written down and not against our own encoder.
 */
final class Bytes
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Bytes stream()
    {
        return new Bytes();
    }

    Bytes type(final char type)
    {
        out.write(type);
        return this;
    }

    Bytes raw(final int... values)
    {
        for (final int value : values)
        {
            out.write(value);
        }
        return this;
    }

    Bytes ascii(final String text)
    {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    Bytes int32(final int value)
    {
        out.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        return this;
    }

    Bytes nul()
    {
        out.write(0);
        return this;
    }

    Bytes repeat(final char value, final int count)
    {
        final byte[] run = new byte[count];
        Arrays.fill(run, (byte)value);
        out.writeBytes(run);
        return this;
    }

    Bytes control(final int shardId)
    {
        return type('C').int32(shardId);
    }

    Bytes message(final String body)
    {
        return type('M').ascii(body).nul();
    }

    Bytes broadcast(final String body)
    {
        return type('B').ascii(body).nul();
    }

    Bytes identify()
    {
        return type('I');
    }

    byte[] toArray()
    {
        return out.toByteArray();
    }

    /** A buffer region shown as text, non-printable bytes escaped, so test failures are readable. */
    static String show(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int value = buffer.getByte(offset + i) & 0xFF;
            if (value >= ' ' && value < 0x7F && value != '\\')
            {
                text.append((char)value);
            }
            else
            {
                text.append(String.format("\\x%02x", value));
            }
        }
        return text.toString();
    }
}
