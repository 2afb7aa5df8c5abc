package dev.mpserver.loadgen.wire;

import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerReplyDecoderTest
{
    /** Records every callback as text. */
    private static class Recorder implements ReplyListener
    {
        final List<String> events = new ArrayList<>();

        @Override
        public void onPingReply()
        {
            events.add("ping");
        }

        @Override
        public void onIdentifyReply(final int pid, final int slot, final int shard, final int clientsOnShard)
        {
            events.add("I " + pid + " " + slot + " " + shard + " " + clientsOnShard);
        }

        @Override
        public void onErrorReply(final int code)
        {
            events.add("E " + code);
        }

        @Override
        public void onBroadcast(final int length)
        {
            events.add("B " + length);
        }

        @Override
        public void onGarbage(final int offset)
        {
            events.add("garbage at " + offset);
        }
    }

    private static byte[] stream()
    {
        final ByteArrayOutputStream s = new ByteArrayOutputStream();
        s.writeBytes(WireProtocol.PING_REPLY);
        s.writeBytes(ProtocolTestServer.identifyReply(123456, 2, -7, 0x01020304));
        s.writeBytes(WireProtocol.PING_REPLY);
        s.writeBytes("Bhi there\0".getBytes(StandardCharsets.US_ASCII));
        s.writeBytes(new byte[] {'E', (byte)200});
        s.writeBytes("busy\0".getBytes(StandardCharsets.US_ASCII));
        return s.toByteArray();
    }

    private static final List<String> EXPECTED =
        List.of("ping", "I 123456 2 -7 16909060", "ping", "B 10", "E 200");

    @Test
    void decodesEveryFrameKindInOneBuffer()
    {
        final Recorder r = new Recorder();
        final ServerReplyDecoder decoder = new ServerReplyDecoder();
        final ByteBuffer buffer = ByteBuffer.wrap(stream());
        decoder.decode(buffer, r);

        assertEquals(EXPECTED, r.events);
        assertEquals(buffer.limit(), buffer.position());
        assertTrue(decoder.atFrameBoundary());
    }

    @Test
    void decodesTheSameWhateverTheSplitIntoReads()
    {
        final byte[] bytes = stream();
        for (int chunk = 1; chunk <= bytes.length; chunk++)
        {
            final Recorder r = new Recorder();
            final ServerReplyDecoder decoder = new ServerReplyDecoder();
            final ByteBuffer direct = ByteBuffer.allocateDirect(chunk);
            for (int at = 0; at < bytes.length; at += chunk)
            {
                direct.clear();
                direct.put(bytes, at, Math.min(chunk, bytes.length - at)).flip();
                decoder.decode(direct, r);
            }
            assertEquals(EXPECTED, r.events, "chunk " + chunk);
        }
    }

    @Test
    void garbageStopsDecodingUntilReset()
    {
        final Recorder r = new Recorder();
        final ServerReplyDecoder decoder = new ServerReplyDecoder();
        decoder.decode(ByteBuffer.wrap("hello, servER ping!\0hello".getBytes(StandardCharsets.US_ASCII)), r);
        assertEquals(List.of("garbage at 11"), r.events);
        assertTrue(decoder.isBroken());

        decoder.decode(ByteBuffer.wrap(WireProtocol.PING_REPLY), r);
        assertEquals(1, r.events.size(), "nothing more is decoded once broken");

        decoder.reset();
        decoder.decode(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)), r);
        assertEquals("garbage at 0", r.events.get(1));
    }

    @Test
    void anErrorFrameWithEndlessTextIsGarbage()
    {
        final Recorder r = new Recorder();
        final ServerReplyDecoder decoder = new ServerReplyDecoder();
        final byte[] frame = new byte[WireProtocol.MAX_FRAME_LENGTH + 10];
        java.util.Arrays.fill(frame, (byte)'a');
        frame[0] = 'E';
        frame[1] = 2;
        decoder.decode(ByteBuffer.wrap(frame), r);
        assertEquals(1, r.events.size());
        assertTrue(r.events.get(0).startsWith("garbage"));
    }

    @Test
    void stopEndsTheCurrentBufferSilently()
    {
        final ServerReplyDecoder decoder = new ServerReplyDecoder();
        final List<String> seen = new ArrayList<>();
        final Recorder stopper = new Recorder()
        {
            @Override
            public void onPingReply()
            {
                seen.add("ping");
                decoder.stop();
            }
        };
        final ByteBuffer two = ByteBuffer.allocate(40).put(WireProtocol.PING_REPLY).put(WireProtocol.PING_REPLY).flip();
        decoder.decode(two, stopper);
        assertEquals(List.of("ping"), seen);
        assertTrue(stopper.events.isEmpty());
    }
}
