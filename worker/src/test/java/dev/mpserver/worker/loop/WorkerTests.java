package dev.mpserver.worker.loop;

import java.nio.charset.StandardCharsets;

/** Frames the worker tests send. */
final class WorkerTests
{
    /** The prototype's message, {@code 'M'} + text + {@code '\0'}. */
    static final byte[] PING = "Mclient, ping message!\0".getBytes(StandardCharsets.US_ASCII);

    private WorkerTests()
    {
    }

    /** {@code 'C'} + little-endian id. */
    static byte[] control(final int shardId)
    {
        return new byte[] {'C', (byte)shardId, (byte)(shardId >>> 8), (byte)(shardId >>> 16), (byte)(shardId >>> 24)};
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
