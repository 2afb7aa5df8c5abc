package dev.mpserver.loadgen.wire;

import dev.mpserver.protocol.wire.WireProtocol;

import java.nio.ByteBuffer;

/**
 * The frames loadgen sends, written into a caller's buffer (no allocation).
 *
 * <pre>
 * 'C' shard:int32 (little-endian)                   5 bytes
 * 'M' "client, ping message!\0"                     23 bytes
 * 'I'                                               1 byte
 * </pre>
 */
public final class ClientFrames
{
    public static final int CONTROL_LENGTH = WireProtocol.CONTROL_FRAME_LENGTH;
    public static final int MESSAGE_LENGTH = 1 + WireProtocol.PROTOTYPE_PING.length;
    public static final int IDENTIFY_LENGTH = 1;

    private ClientFrames()
    {
    }

    public static void putControl(final ByteBuffer buffer, final int shardId)
    {
        buffer.put(WireProtocol.CONTROL);
        for (int i = 0; i < Integer.BYTES; i++)
        {
            buffer.put((byte)(shardId >>> (Byte.SIZE * i)));
        }
    }

    public static void putMessage(final ByteBuffer buffer)
    {
        buffer.put(WireProtocol.MESSAGE).put(WireProtocol.PROTOTYPE_PING);
    }

    public static void putIdentify(final ByteBuffer buffer)
    {
        buffer.put(WireProtocol.IDENTIFY);
    }
}
