package dev.mpserver.protocol.rtmp;

import dev.mpserver.protocol.wire.InputBuffer;
import dev.mpserver.protocol.wire.Splits;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest
{
    /** Bytes a client sends right after C2: the start of the chunk stream, which the handshake must leave alone. */
    private static final byte[] CHUNK_STREAM_START = { 3, 0, 0, 0, 0, 0, 0x20, 0x14 };

    private static byte[] clientC0C1(final int time)
    {
        final byte[] c0c1 = new byte[Handshake.VERSION_AND_PACKET_LENGTH];
        c0c1[0] = 3;
        ByteBuffer.wrap(c0c1, 1, 4).putInt(time);
        // ffmpeg's digest-style version field, which a simple-handshake server must accept.
        c0c1[5] = 9;
        c0c1[6] = 0;
        c0c1[7] = 0x7c;
        c0c1[8] = 2;
        for (int i = 9; i < c0c1.length; i++)
        {
            c0c1[i] = (byte)(i * 13);
        }
        return c0c1;
    }

    private static byte[] concat(final byte[]... parts)
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

    @Test
    void serverAnswersC0C1WithS0S1S2AndConsumesC2HoweverTheBytesArrive()
    {
        final byte[] c0c1 = clientC0C1(0x01020304);
        final byte[] c2 = new byte[Handshake.PACKET_LENGTH];
        Arrays.fill(c2, (byte)0x5A);
        final byte[] stream = concat(c0c1, c2, CHUNK_STREAM_START);

        for (final Splits.Split split : Splits.of(stream.length))
        {
            for (final boolean compact : new boolean[]{ false, true })
            {
                final String label = split.label() + (compact ? ", compacted" : ", in place");
                final ServerHandshake handshake = new ServerHandshake(new SplittableRandom(1));
                final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
                final int[] outLength = { 0 };
                final InputBuffer input = InputBuffer.feed(stream, split.cuts(), compact, (buffer, offset, length) ->
                {
                    if (handshake.isComplete())
                    {
                        return 0;
                    }
                    final int consumed = handshake.receive(buffer, offset, length, out, outLength[0]);
                    outLength[0] += handshake.answerLength();
                    return consumed;
                });

                assertTrue(handshake.isComplete(), label);
                assertNull(handshake.failureReason(), label);
                assertEquals(CHUNK_STREAM_START.length, input.pending(), label + ": the chunk stream stays unconsumed");
                assertEquals(Handshake.SERVER_RESPONSE_LENGTH, outLength[0], label);
                final byte[] answer = new byte[outLength[0]];
                out.getBytes(0, answer);
                assertEquals(3, answer[0], label + ": S0");
                assertArrayEquals(new byte[8], Arrays.copyOfRange(answer, 1, 9), label + ": S1 time 0, version 0");
                assertArrayEquals(Arrays.copyOfRange(c0c1, 1, c0c1.length),
                    Arrays.copyOfRange(answer, 1 + Handshake.PACKET_LENGTH, answer.length), label + ": S2 = C1");
            }
        }
    }

    @Test
    void serverRejectsABadVersionOnItsFirstByte()
    {
        final ServerHandshake handshake = new ServerHandshake(new SplittableRandom(1));
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        assertEquals(0, handshake.receive(new UnsafeBuffer(new byte[]{ 6 }), 0, 1, out, 0));
        assertTrue(handshake.hasFailed());
        assertEquals("C0 version 6 asks for encrypted RTMP (RTMPE), which is not supported", handshake.failureReason());
        assertEquals(0, handshake.answerLength());

        handshake.reset();
        assertEquals(0, handshake.receive(new UnsafeBuffer(new byte[]{ 'C', 0, 0, 0, 1 }), 0, 5, out, 0));
        assertEquals("C0 version 67 is not RTMP version 3", handshake.failureReason());
        // Nothing more is consumed until reset.
        final byte[] good = clientC0C1(0);
        assertEquals(0, handshake.receive(new UnsafeBuffer(good), 0, good.length, out, 0));

        handshake.reset();
        assertEquals(good.length, handshake.receive(new UnsafeBuffer(good), 0, good.length, out, 0));
        assertTrue(handshake.isAnswered());
        assertFalse(handshake.isComplete());
    }

    @Test
    void clientAndServerCompleteAgainstEachOtherWithC2EchoingS1()
    {
        final ClientHandshake client = new ClientHandshake(new SplittableRandom(2));
        final ServerHandshake server = new ServerHandshake(new SplittableRandom(3));
        final ExpandableArrayBuffer toServer = new ExpandableArrayBuffer(16);
        final ExpandableArrayBuffer toClient = new ExpandableArrayBuffer(16);

        final int c0c1 = client.writeRequest(toServer, 0, 12345);
        assertEquals(Handshake.VERSION_AND_PACKET_LENGTH, c0c1);
        assertEquals(c0c1, server.receive(toServer, 0, c0c1, toClient, 0));
        final int s0s1s2 = server.answerLength();

        // The client gets S0+S1 first: it answers C2 at once; S2 follows later in small pieces.
        final int c2At = c0c1;
        assertEquals(Handshake.VERSION_AND_PACKET_LENGTH,
            client.receive(toClient, 0, Handshake.VERSION_AND_PACKET_LENGTH, toServer, c2At));
        assertEquals(Handshake.PACKET_LENGTH, client.answerLength());
        assertFalse(client.isComplete());
        int position = Handshake.VERSION_AND_PACKET_LENGTH;
        while (position < s0s1s2)
        {
            position += client.receive(toClient, position, Math.min(100, s0s1s2 - position), toServer, 0);
        }
        assertTrue(client.isComplete());

        final byte[] s1 = new byte[Handshake.PACKET_LENGTH];
        final byte[] c2 = new byte[Handshake.PACKET_LENGTH];
        toClient.getBytes(1, s1);
        toServer.getBytes(c2At, c2);
        assertArrayEquals(s1, c2, "C2 = S1");
        assertEquals(12345, toServer.getInt(1, java.nio.ByteOrder.BIG_ENDIAN), "C1 time");
        assertEquals(0, toServer.getInt(5), "C1 version field zero: the simple handshake");

        assertEquals(Handshake.PACKET_LENGTH, server.receive(toServer, c2At, Handshake.PACKET_LENGTH, toClient, 0));
        assertTrue(server.isComplete());
    }

    @Test
    void clientRejectsAServerThatIsNotRtmpVersion3()
    {
        final ClientHandshake client = new ClientHandshake(new SplittableRandom(2));
        final byte[] http = "HTTP/1.1 400".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(0, client.receive(new UnsafeBuffer(http), 0, http.length, new ExpandableArrayBuffer(), 0));
        assertEquals("S0 version 72 is not RTMP version 3", client.failureReason());
    }
}
