package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static dev.mpserver.protocol.wire.WireProtocol.MAX_BODY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_FRAME_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientFrameParserTest
{
    private static final String OVERSIZE = "E BAD_FRAME frame over 65536 bytes";

    private record Outcome(List<String> events, int pending)
    {
    }

    private static Outcome parse(final byte[] stream, final int[] cuts, final boolean compact, final boolean proceed)
    {
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler handler = new RecordingClientHandler(proceed);
        final InputBuffer input = InputBuffer.feed(
            stream, cuts, compact, (buffer, offset, length) -> parser.parse(buffer, offset, length, handler));
        return new Outcome(handler.events, input.pending());
    }

    /**
     * Whole, cut at every boundary, byte by byte, in random chunks; kept in place or compacted;
     * with a handler that goes on or one that stops after every frame: always the same callbacks.
     */
    private static void assertParsedHoweverSplit(final byte[] stream, final List<String> expected, final int pending)
    {
        for (final Splits.Split split : Splits.of(stream.length))
        {
            for (final boolean compact : new boolean[]{ false, true })
            {
                for (final boolean proceed : new boolean[]{ true, false })
                {
                    final String label = split.label() + (compact ? ", compacted" : ", in place") +
                        (proceed ? "" : ", stopping after every frame");
                    final Outcome outcome = parse(stream, split.cuts(), compact, proceed);
                    assertEquals(expected, outcome.events(), label);
                    assertEquals(pending, outcome.pending(), label);
                }
            }
        }
    }

    @Test
    void parsesEveryFrameTypeSplitAtEveryByteBoundary()
    {
        assertParsedHoweverSplit(Bytes.stream().control(0x12345678).toArray(), List.of("C 305419896"), 0);
        assertParsedHoweverSplit(Bytes.stream().control(-2).toArray(), List.of("C -2"), 0);
        assertParsedHoweverSplit(
            Bytes.stream().message("client, ping message!").toArray(), List.of("M client, ping message!"), 0);
        assertParsedHoweverSplit(Bytes.stream().identify().toArray(), List.of("I"), 0);
        assertParsedHoweverSplit(
            Bytes.stream().broadcast("to all").toArray(), List.of("B Bto all\\x00"), 0);
    }

    @Test
    void parsesAStreamOfAllFrameTypesWithPipelinedMessagesSplitAtEveryByteBoundary()
    {
        final byte[] stream = Bytes.stream()
            .control(-2)
            .message("client, ping message!")
            .message("a")
            .message("")
            .message("\u0001\u007f")
            .identify()
            .broadcast("hello all")
            .broadcast("")
            .message("x")
            .identify()
            .toArray();

        assertParsedHoweverSplit(stream, List.of(
            "C -2",
            "M client, ping message!",
            "M a",
            "M ",
            "M \\x01\\x7f",
            "I",
            "B Bhello all\\x00",
            "B B\\x00",
            "M x",
            "I"), 0);
    }

    @Test
    void acceptsAnEmptyMessage()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(Bytes.stream().message("").toArray());
        final BodyLength handler = new BodyLength();

        assertEquals(2, new ClientFrameParser().parse(buffer, 0, buffer.capacity(), handler));
        assertEquals(1, handler.messages);
        assertEquals(1, handler.bodyOffset);
        assertEquals(0, handler.bodyLength);
    }

    @Test
    void reportsTheBroadcastAsTheWholeFrameSoItCanBeForwardedVerbatim()
    {
        final byte[] stream = Bytes.stream().identify().broadcast("hi").toArray();
        final UnsafeBuffer buffer = new UnsafeBuffer(stream);
        final BodyLength handler = new BodyLength();

        assertEquals(stream.length, new ClientFrameParser().parse(buffer, 0, stream.length, handler));
        assertEquals(1, handler.broadcasts);
        assertEquals(1, handler.frameOffset);
        assertEquals(4, handler.frameLength);
    }

    @Test
    void leavesAPartialFrameUnconsumed()
    {
        final byte[] stream = Bytes.stream().message("one").type('M').ascii("tw").toArray();
        final UnsafeBuffer buffer = new UnsafeBuffer(stream);
        final RecordingClientHandler handler = new RecordingClientHandler();

        assertEquals(5, new ClientFrameParser().parse(buffer, 0, stream.length, handler));
        assertEquals(List.of("M one"), handler.events);
    }

    @Test
    void rejectsAnUnknownFrameType()
    {
        assertParsedHoweverSplit(
            Bytes.stream().message("hi").type('X').message("never").toArray(),
            List.of("M hi", "E BAD_FRAME unknown frame type 0x58"), 8);
        assertParsedHoweverSplit(
            Bytes.stream().raw(0x00).toArray(), List.of("E BAD_FRAME unknown frame type 0x00"), 1);
        assertParsedHoweverSplit(
            Bytes.stream().raw(0xFF).toArray(), List.of("E BAD_FRAME unknown frame type 0xff"), 1);
        // Server-to-client types are unknown in this direction.
        assertParsedHoweverSplit(
            Bytes.stream().type('E').raw(1).nul().toArray(), List.of("E BAD_FRAME unknown frame type 0x45"), 3);
        assertParsedHoweverSplit(
            Bytes.stream().ascii("hello").toArray(), List.of("E BAD_FRAME unknown frame type 0x68"), 5);
    }

    @Test
    void rejectsASecondControlFrame()
    {
        assertParsedHoweverSplit(
            Bytes.stream().control(7).message("hi").control(8).identify().toArray(),
            List.of("C 7", "M hi", "E BAD_FRAME second C frame"), 6);
    }

    @Test
    void rejectsAControlFrameThatIsNotTheFirstFrame()
    {
        assertParsedHoweverSplit(
            Bytes.stream().identify().control(1).toArray(), List.of("I", "E BAD_FRAME C frame not first"), 5);
    }

    @Test
    void rejectsAControlFrameOnItsTypeByteAloneOnceControlIsNoLongerAllowed()
    {
        final ClientFrameParser parser = new ClientFrameParser();
        parser.resetAfterControl();
        final RecordingClientHandler handler = new RecordingClientHandler();

        assertFalse(parser.isControlAllowed());
        assertEquals(0, parser.parse(new UnsafeBuffer(new byte[]{ 'C' }), 0, 1, handler));
        assertEquals(List.of("E BAD_FRAME second C frame"), handler.events);
        assertTrue(parser.hasFailed());
    }

    @Test
    void allowsControlOnlyUntilTheFirstFrame()
    {
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler handler = new RecordingClientHandler();
        final byte[] stream = Bytes.stream().control(42).toArray();

        assertTrue(parser.isControlAllowed());
        assertEquals(0, parser.parse(new UnsafeBuffer(stream), 0, stream.length - 1, handler));
        assertTrue(parser.isControlAllowed(), "a partial C is not a frame yet");
        assertEquals(stream.length, parser.parse(new UnsafeBuffer(stream), 0, stream.length, handler));
        assertFalse(parser.isControlAllowed());
        assertEquals(List.of("C 42"), handler.events);

        parser.reset();
        assertTrue(parser.isControlAllowed());
    }

    @Test
    void stopsRightAfterControlSoTheRestStaysForTheServingWorker()
    {
        final byte[] stream = Bytes.stream().control(9).message("for the owner").identify().toArray();
        final UnsafeBuffer buffer = new UnsafeBuffer(stream);
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler stopper = new RecordingClientHandler(false);

        assertEquals(WireProtocol.CONTROL_FRAME_LENGTH, parser.parse(buffer, 0, stream.length, stopper));
        assertEquals(List.of("C 9"), stopper.events);

        // The serving worker picks up exactly where this one stopped.
        final ClientFrameParser serving = new ClientFrameParser();
        serving.resetAfterControl();
        final RecordingClientHandler handler = new RecordingClientHandler();
        final int rest = stream.length - WireProtocol.CONTROL_FRAME_LENGTH;
        assertEquals(rest, serving.parse(buffer, WireProtocol.CONTROL_FRAME_LENGTH, rest, handler));
        assertEquals(List.of("M for the owner", "I"), handler.events);
    }

    @Test
    void consumesNothingAfterAnErrorUntilReset()
    {
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler handler = new RecordingClientHandler();
        final byte[] bad = Bytes.stream().type('Z').toArray();
        final byte[] good = Bytes.stream().message("ok").toArray();

        assertEquals(0, parser.parse(new UnsafeBuffer(bad), 0, bad.length, handler));
        assertTrue(parser.hasFailed());
        assertEquals(0, parser.parse(new UnsafeBuffer(good), 0, good.length, handler));
        assertEquals(List.of("E BAD_FRAME unknown frame type 0x5a"), handler.events);

        parser.reset();
        assertFalse(parser.hasFailed());
        assertEquals(good.length, parser.parse(new UnsafeBuffer(good), 0, good.length, handler));
        assertEquals(List.of("E BAD_FRAME unknown frame type 0x5a", "M ok"), handler.events);
    }

    @Test
    void acceptsAMessageOfExactlyTheMaximumLength()
    {
        final byte[] stream = Bytes.stream().type('M').repeat('a', MAX_BODY_LENGTH).nul().identify().toArray();
        assertEquals(MAX_FRAME_LENGTH + 1, stream.length);

        for (final int[] cuts : new int[][]{ {}, { MAX_FRAME_LENGTH - 1 }, { MAX_FRAME_LENGTH }, { 1, 2, 40_000 } })
        {
            final ClientFrameParser parser = new ClientFrameParser();
            final BodyLength handler = new BodyLength();
            final InputBuffer input = InputBuffer.feed(
                stream, cuts, true, (buffer, offset, length) -> parser.parse(buffer, offset, length, handler));

            assertEquals(1, handler.messages);
            assertEquals(MAX_BODY_LENGTH, handler.bodyLength);
            assertEquals(1, handler.identifies);
            assertEquals(0, handler.errors);
            assertEquals(0, input.pending());
        }
    }

    @Test
    void acceptsABroadcastOfExactlyTheMaximumLength()
    {
        final byte[] stream = Bytes.stream().type('B').repeat('b', MAX_BODY_LENGTH).nul().toArray();
        final BodyLength handler = new BodyLength();

        assertEquals(stream.length, new ClientFrameParser().parse(new UnsafeBuffer(stream), 0, stream.length, handler));
        assertEquals(1, handler.broadcasts);
        assertEquals(MAX_FRAME_LENGTH, handler.frameLength);
    }

    @Test
    void rejectsAMessageOneByteOverTheMaximumEvenWhenItsTerminatorIsThere()
    {
        final byte[] stream = Bytes.stream().type('M').repeat('a', MAX_BODY_LENGTH + 1).nul().toArray();
        final RecordingClientHandler handler = new RecordingClientHandler();

        assertEquals(0, new ClientFrameParser().parse(new UnsafeBuffer(stream), 0, stream.length, handler));
        assertEquals(List.of(OVERSIZE), handler.events);
    }

    @Test
    void rejectsAnOversizeMessageAsSoonAsTheLimitArrives()
    {
        assertOversizeRejectedOnLastByte('M');
    }

    @Test
    void rejectsAnOversizeBroadcastAsSoonAsTheLimitArrives()
    {
        assertOversizeRejectedOnLastByte('B');
    }

    private static void assertOversizeRejectedOnLastByte(final char type)
    {
        final byte[] stream = Bytes.stream().message("first").type(type).repeat('x', MAX_FRAME_LENGTH - 1).toArray();
        final int firstLength = 7;
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler handler = new RecordingClientHandler();
        final InputBuffer input = new InputBuffer(stream.length, false);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        input.receive(stream, 0, stream.length - 1, parse);
        assertEquals(List.of("M first"), handler.events, "one byte short of the limit is still a partial frame");
        assertEquals(MAX_FRAME_LENGTH - 1, input.pending());

        input.receive(stream, stream.length - 1, 1, parse);
        assertEquals(List.of("M first", OVERSIZE), handler.events);
        assertEquals(stream.length - firstLength, input.pending());
        assertTrue(parser.hasFailed());
    }

    @Test
    void rejectsAnOversizeMessageFedByteByteAsSoonAsTheLimitArrives()
    {
        final byte[] stream = Bytes.stream().type('M').repeat('x', MAX_FRAME_LENGTH + 10).toArray();
        final ClientFrameParser parser = new ClientFrameParser();
        final RecordingClientHandler handler = new RecordingClientHandler();
        final InputBuffer input = new InputBuffer(stream.length, true);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        int fed = 0;
        while (handler.events.isEmpty() && fed < stream.length)
        {
            input.receive(stream, fed++, 1, parse);
        }

        assertEquals(MAX_FRAME_LENGTH, fed);
        assertEquals(List.of(OVERSIZE), handler.events);
    }

    @Test
    void searchesAPartialFrameOnlyOnceAcrossReads()
    {
        final byte[] stream = Bytes.stream().type('M').repeat('a', MAX_BODY_LENGTH).nul().toArray();
        final CountingBuffer counting = new CountingBuffer(stream.length + 8);
        final ClientFrameParser parser = new ClientFrameParser();
        final BodyLength handler = new BodyLength();
        final InputBuffer input = new InputBuffer(counting, false);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        for (int i = 0; i < stream.length; i++)
        {
            input.receive(stream, i, 1, parse);
        }

        assertEquals(1, handler.messages);
        assertEquals(MAX_BODY_LENGTH, handler.bodyLength);
        // One read per byte as it arrives plus a type byte per call; rescanning would be ~2^31.
        assertTrue(counting.reads < 3L * stream.length, "bytes read: " + counting.reads);
    }

    @Test
    void parsesWithoutAllocating()
    {
        final byte[] valid = Bytes.stream()
            .control(5).message("client, ping message!").identify().broadcast("all").message("").toArray();
        final byte[] invalid = Bytes.stream().message("ok").type('X').toArray();
        final UnsafeBuffer validBuffer = new UnsafeBuffer(valid);
        final UnsafeBuffer invalidBuffer = new UnsafeBuffer(invalid);
        final ClientFrameParser parser = new ClientFrameParser();
        final BodyLength handler = new BodyLength();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

        final int rounds = 20_000;
        long consumed = 0;
        for (int warmUp = 0; warmUp < 2; warmUp++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                parser.reset();
                // Cut inside the message to go through the partial-frame path too.
                final int first = parser.parse(validBuffer, 0, 10, handler);
                consumed += first + parser.parse(validBuffer, first, valid.length - first, handler);
                parser.reset();
                consumed += parser.parse(invalidBuffer, 0, invalid.length, handler);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (warmUp == 1)
            {
                assertEquals(0, allocated, "bytes allocated by " + rounds + " rounds");
            }
        }

        assertEquals(2L * rounds * (valid.length + 4), consumed);
        assertEquals(2L * rounds, handler.errors);
    }

    /** Records numbers only, so that it can run in the allocation test. */
    private static final class BodyLength implements ClientFrameHandler
    {
        int messages;
        int broadcasts;
        int identifies;
        int controls;
        int errors;
        int bodyOffset;
        int bodyLength;
        int frameOffset;
        int frameLength;

        @Override
        public boolean onControl(final int shardId)
        {
            controls++;
            return true;
        }

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
        {
            messages++;
            this.bodyOffset = bodyOffset;
            this.bodyLength = bodyLength;
            return true;
        }

        @Override
        public boolean onIdentify()
        {
            identifies++;
            return true;
        }

        @Override
        public boolean onBroadcast(final DirectBuffer buffer, final int frameOffset, final int frameLength)
        {
            broadcasts++;
            this.frameOffset = frameOffset;
            this.frameLength = frameLength;
            return true;
        }

        @Override
        public void onError(final ErrorCode code, final String reason)
        {
            errors++;
        }
    }
}
