package dev.mpserver.protocol.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.CONTROL_SHARD_ID_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_CLIENTS_OFFSET;
import static dev.mpserver.protocol.wire.WireProtocol.IDENTIFY_REPLY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_BODY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_TEXT_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WireEncoderTest
{
    /** Frames are written at an odd offset so that no int32 is accidentally aligned. */
    private static final int AT = 5;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + MAX_FRAME_LENGTH + 16]);

    private byte[] written(final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(AT, bytes);
        return bytes;
    }

    private List<String> parseAsClientFrames(final int length)
    {
        final RecordingClientHandler handler = new RecordingClientHandler();
        assertEquals(length, new ClientFrameParser().parse(buffer, AT, length, handler));
        return handler.events;
    }

    private List<String> parseAsServerReplies(final int length)
    {
        final RecordingServerHandler handler = new RecordingServerHandler();
        assertEquals(length, new ServerReplyParser().parse(buffer, AT, length, handler));
        return handler.events;
    }

    @Test
    void layoutConstantsAddUpToTheFixedFrameLengths()
    {
        assertEquals(CONTROL_FRAME_LENGTH, CONTROL_SHARD_ID_OFFSET + Integer.BYTES);
        assertEquals(IDENTIFY_REPLY_LENGTH, IDENTIFY_CLIENTS_OFFSET + Integer.BYTES);
        assertEquals(20, PING_REPLY_LENGTH);
        assertEquals(MAX_FRAME_LENGTH, WireEncoder.delimitedFrameLength(MAX_BODY_LENGTH));
    }

    @Test
    void writesControlLittleEndianAndRoundTrips()
    {
        final int length = WireEncoder.putControl(buffer, AT, -7);

        assertEquals(CONTROL_FRAME_LENGTH, length);
        assertArrayEquals(new byte[]{ 'C', (byte)0xF9, (byte)0xFF, (byte)0xFF, (byte)0xFF }, written(length));
        assertEquals(List.of("C -7"), parseAsClientFrames(length));
    }

    @Test
    void writesIdentifyAndRoundTrips()
    {
        final int length = WireEncoder.putIdentify(buffer, AT);

        assertArrayEquals(new byte[]{ 'I' }, written(length));
        assertEquals(List.of("I"), parseAsClientFrames(length));
    }

    @Test
    void writesMessagesAndBroadcastsAndRoundTrips()
    {
        int length = WireEncoder.putMessage(buffer, AT, "hi".getBytes(US_ASCII));
        length += WireEncoder.putMessage(buffer, AT + length, new byte[0]);
        length += WireEncoder.putBroadcast(buffer, AT + length, "to all".getBytes(US_ASCII));
        final UnsafeBuffer body = new UnsafeBuffer("xxbodyxx".getBytes(US_ASCII));
        length += WireEncoder.putMessage(buffer, AT + length, body, 2, 4);
        length += WireEncoder.putBroadcast(buffer, AT + length, body, 2, 4);

        assertArrayEquals(
            Bytes.stream().message("hi").message("").broadcast("to all").message("body").broadcast("body").toArray(),
            written(length));
        assertEquals(
            List.of("M hi", "M ", "B Bto all\\x00", "M body", "B Bbody\\x00"), parseAsClientFrames(length));
    }

    @Test
    void writesThePrototypePing()
    {
        final int length = WireEncoder.putPrototypePing(buffer, AT);

        assertEquals(23, length);
        assertEquals(List.of("M client, ping message!"), parseAsClientFrames(length));
    }

    @Test
    void forwardsABroadcastFrameVerbatimToAClient()
    {
        final int length = WireEncoder.putBroadcast(buffer, AT, "chat line".getBytes(US_ASCII));

        // What the worker copies to the other clients is what they parse.
        assertEquals(List.of("B chat line"), parseAsServerReplies(length));
    }

    @Test
    void writesAMessageOfTheMaximumBodyLength()
    {
        final byte[] body = new byte[MAX_BODY_LENGTH];
        Arrays.fill(body, (byte)'m');

        assertEquals(MAX_FRAME_LENGTH, WireEncoder.putMessage(buffer, AT, body));
    }

    @Test
    void refusesABodyThatWouldBeCutOrRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> WireEncoder.putMessage(buffer, AT, new byte[MAX_BODY_LENGTH + 1]));
        assertThrows(IllegalArgumentException.class, () -> WireEncoder.putBroadcast(buffer, AT, new byte[]{ 'a', 0, 'b' }));
        final UnsafeBuffer withNul = new UnsafeBuffer(new byte[]{ 'a', 'b', 0 });
        assertThrows(IllegalArgumentException.class, () -> WireEncoder.putMessage(buffer, AT, withNul, 0, 3));
        // The same buffer is fine when the region stops before the NUL.
        assertEquals(4, WireEncoder.putMessage(buffer, AT, withNul, 0, 2));
    }

    @Test
    void writesThePingReplyAndRoundTrips()
    {
        final int length = WireEncoder.putPingReply(buffer, AT);

        assertArrayEquals(PING_REPLY, written(length));
        assertEquals(List.of("PING"), parseAsServerReplies(length));
    }

    @Test
    void writesTheIdentifyReplyLittleEndianAndRoundTrips()
    {
        final int length = WireEncoder.putIdentifyReply(buffer, AT, 0x01020304, 2, -1, 1000);

        assertEquals(IDENTIFY_REPLY_LENGTH, length);
        assertArrayEquals(
            new byte[]{ 'I', 4, 3, 2, 1, 2, 0, 0, 0, -1, -1, -1, -1, (byte)0xE8, 3, 0, 0 }, written(length));
        assertEquals(List.of("I 16909060 2 -1 1000"), parseAsServerReplies(length));
    }

    @Test
    void writesErrorFramesAndRoundTrips()
    {
        final String reason = "unknown frame type 0x58";
        int length = WireEncoder.putError(buffer, AT, ErrorCode.BAD_FRAME, reason);
        assertEquals(WireEncoder.errorFrameLength(reason), length);
        assertArrayEquals(Bytes.stream().type('E').raw(1).ascii(reason).nul().toArray(), written(length));

        length += WireEncoder.putError(buffer, AT + length, ErrorCode.SHUTTING_DOWN);
        assertEquals(
            List.of("E 1 unknown frame type 0x58", "E 5 shutting down"), parseAsServerReplies(length));
    }

    @Test
    void sendsWhatAnErrorTextCannotCarryAsQuestionMarks()
    {
        final int length = WireEncoder.putError(buffer, AT, ErrorCode.SERVER_FULL, "caf\u00e9\0x");

        assertEquals(List.of("E 2 caf??x"), parseAsServerReplies(length));
    }

    @Test
    void cutsAnErrorTextToFitTheMaximumErrorFrame()
    {
        final String text = "t".repeat(MAX_ERROR_TEXT_LENGTH + 50);
        final int length = WireEncoder.putError(buffer, AT, ErrorCode.IDLE_TIMEOUT, text);

        assertEquals(MAX_ERROR_FRAME_LENGTH, length);
        assertEquals(MAX_ERROR_FRAME_LENGTH, WireEncoder.errorFrameLength(text));
        assertEquals(List.of("E 4 " + "t".repeat(MAX_ERROR_TEXT_LENGTH)), parseAsServerReplies(length));
    }

    @Test
    void everyClientParserErrorFitsAnErrorFrameUncut()
    {
        for (final String reason : List.of(
            ClientFrameParser.REASON_FRAME_TOO_LONG,
            ClientFrameParser.REASON_SECOND_CONTROL,
            ClientFrameParser.REASON_LATE_CONTROL,
            "unknown frame type 0xff"))
        {
            final int length = WireEncoder.putError(buffer, AT, ErrorCode.BAD_FRAME, reason);
            assertEquals(List.of("E 1 " + reason), parseAsServerReplies(length));
        }
    }

    @Test
    void writesWithoutAllocating()
    {
        final byte[] bytes = "body".getBytes(US_ASCII);
        final UnsafeBuffer body = new UnsafeBuffer(bytes);
        final String reason = ClientFrameParser.REASON_SECOND_CONTROL;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        final int rounds = 20_000;
        long written = 0;
        for (int warmUp = 0; warmUp < 2; warmUp++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                int at = AT;
                at += WireEncoder.putControl(buffer, at, i);
                at += WireEncoder.putIdentify(buffer, at);
                at += WireEncoder.putMessage(buffer, at, bytes);
                at += WireEncoder.putBroadcast(buffer, at, body, 0, bytes.length);
                at += WireEncoder.putPrototypePing(buffer, at);
                at += WireEncoder.putPingReply(buffer, at);
                at += WireEncoder.putIdentifyReply(buffer, at, 1, 2, 3, i);
                at += WireEncoder.putError(buffer, at, ErrorCode.BAD_FRAME, reason);
                at += WireEncoder.putError(buffer, at, ErrorCode.SHARD_BUSY);
                written += at - AT;
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (warmUp == 1)
            {
                assertEquals(0, allocated, "bytes allocated by " + rounds + " rounds");
            }
        }

        assertEquals(2L * rounds * (5 + 1 + 6 + 6 + 23 + 20 + 17 + (3 + reason.length()) + (3 + 10)), written);
    }
}
