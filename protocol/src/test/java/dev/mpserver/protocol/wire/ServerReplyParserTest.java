package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static dev.mpserver.protocol.wire.WireProtocol.MAX_BODY_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_ERROR_TEXT_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.MAX_FRAME_LENGTH;
import static dev.mpserver.protocol.wire.WireProtocol.PING_REPLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerReplyParserTest
{
    private record Outcome(List<String> events, int pending)
    {
    }

    private static Outcome parse(final byte[] stream, final int[] cuts, final boolean compact, final boolean proceed)
    {
        final ServerReplyParser parser = new ServerReplyParser();
        final RecordingServerHandler handler = new RecordingServerHandler(proceed);
        final InputBuffer input = InputBuffer.feed(
            stream, cuts, compact, (buffer, offset, length) -> parser.parse(buffer, offset, length, handler));
        return new Outcome(handler.events, input.pending());
    }

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

    private static Bytes identifyReply(final Bytes bytes, final int pid, final int slot, final int shard, final int clients)
    {
        return bytes.type('I').int32(pid).int32(slot).int32(shard).int32(clients);
    }

    private static Bytes error(final Bytes bytes, final int code, final String text)
    {
        return bytes.type('E').raw(code).ascii(text).nul();
    }

    @Test
    void parsesEveryReplyTypeSplitAtEveryByteBoundary()
    {
        assertParsedHoweverSplit(PING_REPLY, List.of("PING"), 0);
        assertParsedHoweverSplit(
            identifyReply(Bytes.stream(), 12345, 2, -1, 1000).toArray(), List.of("I 12345 2 -1 1000"), 0);
        assertParsedHoweverSplit(
            identifyReply(Bytes.stream(), Integer.MAX_VALUE, 0, Integer.MIN_VALUE, 0x01020304).toArray(),
            List.of("I 2147483647 0 -2147483648 16909060"), 0);
        assertParsedHoweverSplit(Bytes.stream().broadcast("hello all").toArray(), List.of("B hello all"), 0);
        assertParsedHoweverSplit(Bytes.stream().broadcast("").toArray(), List.of("B "), 0);
        assertParsedHoweverSplit(
            error(Bytes.stream(), 1, "unknown frame type 0x58").toArray(), List.of("E 1 unknown frame type 0x58"), 0);
    }

    @Test
    void parsesAStreamOfAllReplyTypesSplitAtEveryByteBoundary()
    {
        final Bytes stream = Bytes.stream().raw(toInts(PING_REPLY)).raw(toInts(PING_REPLY));
        identifyReply(stream, 4242, 3, 77, 2);
        stream.broadcast("from a friend").raw(toInts(PING_REPLY)).broadcast("");
        // A code this version does not know, with no text: both must pass through.
        error(stream, 200, "");
        error(stream, 2, "server full");

        assertParsedHoweverSplit(stream.toArray(), List.of(
            "PING",
            "PING",
            "I 4242 3 77 2",
            "B from a friend",
            "PING",
            "B ",
            "E 200 ",
            "E 2 server full"), 0);
    }

    @Test
    void readsAZeroCodeByteAsTheCodeNotAsTheTerminator()
    {
        assertParsedHoweverSplit(error(Bytes.stream(), 0, "zero").toArray(), List.of("E 0 zero"), 0);
    }

    @Test
    void reportsGarbage()
    {
        assertParsedHoweverSplit(
            Bytes.stream().raw(toInts(PING_REPLY)).type('Z').toArray(), List.of("PING", "GARBAGE 0x5a"), 1);
        // 'M' and 'C' only travel client to server.
        assertParsedHoweverSplit(Bytes.stream().message("x").toArray(), List.of("GARBAGE 0x4d"), 3);
        assertParsedHoweverSplit(Bytes.stream().control(1).toArray(), List.of("GARBAGE 0x43"), 5);
        assertParsedHoweverSplit(Bytes.stream().raw(0).toArray(), List.of("GARBAGE 0x00"), 1);
    }

    @Test
    void reportsACorruptPingReplyAsSoonAsTheWrongByteArrives()
    {
        final byte[] stream = Bytes.stream().ascii("hellO, server ping!").nul().toArray();
        final ServerReplyParser parser = new ServerReplyParser();
        final RecordingServerHandler handler = new RecordingServerHandler();
        final InputBuffer input = new InputBuffer(stream.length, false);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        input.receive(stream, 0, 4, parse);
        assertEquals(List.of(), handler.events, "\"hell\" is a partial ping reply");

        input.receive(stream, 4, 1, parse);
        assertEquals(List.of("GARBAGE 0x4f"), handler.events);
        assertTrue(parser.hasFailed());
    }

    @Test
    void acceptsABroadcastOfExactlyTheMaximumLength()
    {
        final byte[] stream = Bytes.stream().type('B').repeat('b', MAX_BODY_LENGTH).nul().toArray();
        final BodyLength handler = new BodyLength();

        assertEquals(stream.length, new ServerReplyParser().parse(new UnsafeBuffer(stream), 0, stream.length, handler));
        assertEquals(1, handler.broadcasts);
        assertEquals(1, handler.offset);
        assertEquals(MAX_BODY_LENGTH, handler.length);
    }

    @Test
    void reportsAnOversizeBroadcastAsGarbageAsSoonAsTheLimitArrives()
    {
        assertOversizeReportedOnLastByte(Bytes.stream().type('B').repeat('x', MAX_FRAME_LENGTH - 1).toArray(), "0x42");
    }

    @Test
    void acceptsAnErrorOfExactlyTheMaximumLength()
    {
        final byte[] stream = error(Bytes.stream(), 3, "s".repeat(MAX_ERROR_TEXT_LENGTH)).toArray();
        assertEquals(MAX_ERROR_FRAME_LENGTH, stream.length);
        final BodyLength handler = new BodyLength();

        assertEquals(stream.length, new ServerReplyParser().parse(new UnsafeBuffer(stream), 0, stream.length, handler));
        assertEquals(1, handler.errors);
        assertEquals(3, handler.code);
        assertEquals(2, handler.offset);
        assertEquals(MAX_ERROR_TEXT_LENGTH, handler.length);
    }

    @Test
    void reportsAnOversizeErrorAsGarbageAsSoonAsTheLimitArrives()
    {
        assertOversizeReportedOnLastByte(
            Bytes.stream().type('E').raw(1).repeat('t', MAX_ERROR_FRAME_LENGTH - 2).toArray(), "0x45");
    }

    private static void assertOversizeReportedOnLastByte(final byte[] frame, final String typeByte)
    {
        final byte[] stream = Bytes.stream().raw(toInts(PING_REPLY)).raw(toInts(frame)).toArray();
        final ServerReplyParser parser = new ServerReplyParser();
        final RecordingServerHandler handler = new RecordingServerHandler();
        final InputBuffer input = new InputBuffer(stream.length, true);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        input.receive(stream, 0, stream.length - 1, parse);
        assertEquals(List.of("PING"), handler.events, "one byte short of the limit is still a partial frame");

        input.receive(stream, stream.length - 1, 1, parse);
        assertEquals(List.of("PING", "GARBAGE " + typeByte), handler.events);
        assertEquals(frame.length, input.pending());
    }

    @Test
    void consumesNothingAfterGarbageUntilReset()
    {
        final ServerReplyParser parser = new ServerReplyParser();
        final RecordingServerHandler handler = new RecordingServerHandler();
        final UnsafeBuffer ping = new UnsafeBuffer(PING_REPLY);

        assertEquals(0, parser.parse(new UnsafeBuffer(new byte[]{ '?' }), 0, 1, handler));
        assertEquals(0, parser.parse(ping, 0, PING_REPLY.length, handler));
        assertEquals(List.of("GARBAGE 0x3f"), handler.events);

        parser.reset();
        assertFalse(parser.hasFailed());
        assertEquals(PING_REPLY.length, parser.parse(ping, 0, PING_REPLY.length, handler));
        assertEquals(List.of("GARBAGE 0x3f", "PING"), handler.events);
    }

    @Test
    void searchesAPartialBroadcastOnlyOnceAcrossReads()
    {
        final byte[] stream = Bytes.stream().type('B').repeat('a', MAX_BODY_LENGTH).nul().toArray();
        final CountingBuffer counting = new CountingBuffer(stream.length + 8);
        final ServerReplyParser parser = new ServerReplyParser();
        final BodyLength handler = new BodyLength();
        final InputBuffer input = new InputBuffer(counting, false);
        final InputBuffer.Parser parse = (buffer, offset, length) -> parser.parse(buffer, offset, length, handler);

        for (int i = 0; i < stream.length; i++)
        {
            input.receive(stream, i, 1, parse);
        }

        assertEquals(1, handler.broadcasts);
        assertEquals(MAX_BODY_LENGTH, handler.length);
        assertTrue(counting.reads < 3L * stream.length, "bytes read: " + counting.reads);
    }

    @Test
    void parsesWithoutAllocating()
    {
        final Bytes bytes = Bytes.stream().raw(toInts(PING_REPLY));
        identifyReply(bytes, 1, 2, 3, 4).broadcast("all");
        error(bytes, 4, "idle timeout");
        final byte[] valid = bytes.toArray();
        final UnsafeBuffer validBuffer = new UnsafeBuffer(valid);
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[]{ 'x' });
        final ServerReplyParser parser = new ServerReplyParser();
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
                // Cut inside the broadcast to go through the partial-frame path too.
                final int first = parser.parse(validBuffer, 0, 40, handler);
                consumed += first + parser.parse(validBuffer, first, valid.length - first, handler);
                parser.parse(garbage, 0, 1, handler);
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (warmUp == 1)
            {
                assertEquals(0, allocated, "bytes allocated by " + rounds + " rounds");
            }
        }

        assertEquals(2L * rounds * valid.length, consumed);
        assertEquals(2L * rounds, handler.pings);
        assertEquals(2L * rounds, handler.garbage);
    }

    private static int[] toInts(final byte[] bytes)
    {
        final int[] values = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++)
        {
            values[i] = bytes[i] & 0xFF;
        }
        return values;
    }

    /** Records numbers only, so that it can run in the allocation test. */
    private static final class BodyLength implements ServerReplyHandler
    {
        int pings;
        int identifies;
        int broadcasts;
        int errors;
        int garbage;
        int code;
        int offset;
        int length;

        @Override
        public boolean onPing()
        {
            pings++;
            return true;
        }

        @Override
        public boolean onIdentify(final int pid, final int slot, final int shardId, final int clientsOnShard)
        {
            identifies++;
            return true;
        }

        @Override
        public boolean onBroadcast(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
        {
            broadcasts++;
            offset = bodyOffset;
            length = bodyLength;
            return true;
        }

        @Override
        public boolean onError(final int code, final DirectBuffer buffer, final int textOffset, final int textLength)
        {
            errors++;
            this.code = code;
            offset = textOffset;
            length = textLength;
            return true;
        }

        @Override
        public void onGarbage(final byte value)
        {
            garbage++;
        }
    }
}
