package dev.mpserver.loadgen.wire;

import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientFramesTest
{
    @Test
    void writesTheSeedCompatibleFrames()
    {
        final ByteBuffer b = ByteBuffer.allocate(64);
        ClientFrames.putControl(b, 0x0A0B0C0D);
        ClientFrames.putMessage(b);
        ClientFrames.putIdentify(b);
        b.flip();

        assertEquals(ClientFrames.CONTROL_LENGTH + ClientFrames.MESSAGE_LENGTH + ClientFrames.IDENTIFY_LENGTH, b.limit());
        assertEquals('C', b.get());
        assertEquals(0x0A0B0C0D, b.order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals('M', b.get());
        final byte[] body = new byte[WireProtocol.PROTOTYPE_PING.length];
        b.get(body);
        assertArrayEquals("client, ping message!\0".getBytes(), body);
        assertEquals('I', b.get());
    }
}
