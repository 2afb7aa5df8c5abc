package dev.mpserver.protocol.rtmp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds chunk streams byte by byte from the spec, independently of {@link ChunkEncoder}, so that
 * the decoder is checked against the protocol as written down and not against our own encoder.
 */
final class ChunkBytes
{
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static ChunkBytes stream()
    {
        return new ChunkBytes();
    }

    /** Basic header for any csid (1, 2 or 3 bytes). */
    ChunkBytes basic(final int fmt, final int csid)
    {
        if (csid <= 63)
        {
            out.write((fmt << 6) | csid);
        }
        else if (csid <= 319)
        {
            out.write(fmt << 6);
            out.write(csid - 64);
        }
        else
        {
            out.write((fmt << 6) | 1);
            out.write((csid - 64) & 0xFF);
            out.write((csid - 64) >>> 8);
        }
        return this;
    }

    ChunkBytes fmt0(final int csid, final int timestamp, final int length, final int type, final int streamId)
    {
        basic(0, csid).int24(timestamp).int24(length).raw(type);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(streamId).array());
        return this;
    }

    ChunkBytes fmt1(final int csid, final int delta, final int length, final int type)
    {
        return basic(1, csid).int24(delta).int24(length).raw(type);
    }

    ChunkBytes fmt2(final int csid, final int delta)
    {
        return basic(2, csid).int24(delta);
    }

    ChunkBytes fmt3(final int csid)
    {
        return basic(3, csid);
    }

    ChunkBytes int24(final int value)
    {
        return raw((value >>> 16) & 0xFF, (value >>> 8) & 0xFF, value & 0xFF);
    }

    ChunkBytes int32(final int value)
    {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value).array());
        return this;
    }

    ChunkBytes raw(final int... values)
    {
        for (final int value : values)
        {
            out.write(value);
        }
        return this;
    }

    ChunkBytes bytes(final byte[] payload, final int from, final int to)
    {
        out.write(payload, from, to - from);
        return this;
    }

    byte[] toArray()
    {
        return out.toByteArray();
    }

    /** A payload whose every byte depends on its position and a seed, so misplaced bytes show. */
    static byte[] payload(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + seed * 7 + (i >>> 8));
        }
        return bytes;
    }
}
