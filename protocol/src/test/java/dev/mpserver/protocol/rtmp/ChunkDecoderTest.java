package dev.mpserver.protocol.rtmp;

import dev.mpserver.protocol.rtmp.RecordingMessageHandler.Message;
import dev.mpserver.protocol.wire.InputBuffer;
import dev.mpserver.protocol.wire.Splits;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.mpserver.protocol.rtmp.RecordingMessageHandler.message;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkDecoderTest
{
    private static final int AUDIO = MessageType.AUDIO;
    private static final int VIDEO = MessageType.VIDEO;

    private record Outcome(List<Message> messages, String failure, int pending, long bytesReceived, int chunkSize)
    {
    }

    private static Outcome decode(
        final ChunkDecoder decoder, final byte[] stream, final int[] cuts, final boolean compact, final boolean proceed)
    {
        final RecordingMessageHandler handler = new RecordingMessageHandler(proceed);
        final InputBuffer input = InputBuffer.feed(
            stream, cuts, compact, (buffer, offset, length) -> decoder.decode(buffer, offset, length, handler));
        return new Outcome(handler.messages, decoder.failureReason(), input.pending(), decoder.bytesReceived(),
            decoder.chunkSize());
    }

    /**
     * Whole, cut at every boundary, byte by byte, in random pieces; kept in place or compacted; with
     * a handler that goes on or one that stops after every message: always the same outcome.
     */
    private static Outcome assertDecodedHoweverSplit(
        final byte[] stream, final List<Message> expected, final String expectedFailure)
    {
        Outcome last = null;
        for (final Splits.Split split : Splits.of(stream.length))
        {
            for (final boolean compact : new boolean[]{ false, true })
            {
                for (final boolean proceed : new boolean[]{ true, false })
                {
                    final String label = split.label() + (compact ? ", compacted" : ", in place") +
                        (proceed ? "" : ", stopping after every message");
                    final Outcome outcome = decode(new ChunkDecoder(), stream, split.cuts(), compact, proceed);
                    assertEquals(expected, outcome.messages(), label);
                    assertEquals(expectedFailure, outcome.failure(), label);
                    if (null == expectedFailure)
                    {
                        assertEquals(0, outcome.pending(), label);
                        assertEquals(stream.length, outcome.bytesReceived(), label);
                    }
                    last = outcome;
                }
            }
        }
        return last;
    }

    @Test
    void decodesASingleChunkMessageHoweverSplit()
    {
        final byte[] body = ChunkBytes.payload(10, 1);
        final byte[] stream = ChunkBytes.stream().fmt0(4, 1000, body.length, AUDIO, 1).bytes(body, 0, 10).toArray();
        assertDecodedHoweverSplit(stream, List.of(message(4, 1000, AUDIO, 1, body)), null);
    }

    @Test
    void decodesEveryHeaderFormatWithTimestampDeltas()
    {
        final byte[] a = ChunkBytes.payload(5, 1);
        final byte[] b = ChunkBytes.payload(5, 2);
        final byte[] c = ChunkBytes.payload(5, 3);
        final byte[] d = ChunkBytes.payload(3, 4);
        final byte[] e = ChunkBytes.payload(3, 5);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(4, 1000, 5, AUDIO, 1).bytes(a, 0, 5)
            .fmt2(4, 20).bytes(b, 0, 5)            // same length and type, delta 20
            .fmt3(4).bytes(c, 0, 5)                // new message: same delta again
            .fmt1(4, 5, 3, VIDEO).bytes(d, 0, 3)   // new length and type, delta 5
            .fmt3(4).bytes(e, 0, 3)                // delta 5 again
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(4, 1000, AUDIO, 1, a),
            message(4, 1020, AUDIO, 1, b),
            message(4, 1040, AUDIO, 1, c),
            message(4, 1045, VIDEO, 1, d),
            message(4, 1050, VIDEO, 1, e)), null);
    }

    @Test
    void fmt3AfterFmt0TakesTheFmt0TimestampAsItsDeltaAsTheSpecAndFfmpegDo()
    {
        final byte[] a = ChunkBytes.payload(4, 1);
        final byte[] b = ChunkBytes.payload(4, 2);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(5, 100, 4, AUDIO, 1).bytes(a, 0, 4)
            .fmt3(5).bytes(b, 0, 4)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(message(5, 100, AUDIO, 1, a), message(5, 200, AUDIO, 1, b)), null);
    }

    @Test
    void assemblesAMessageFromChunksAtTheDefaultChunkSize()
    {
        final byte[] body = ChunkBytes.payload(300, 7);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 40, 300, VIDEO, 1).bytes(body, 0, 128)
            .fmt3(6).bytes(body, 128, 256)
            .fmt3(6).bytes(body, 256, 300)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(message(6, 40, VIDEO, 1, body)), null);
    }

    @Test
    void assemblesMessagesInterleavedOnDifferentChunkStreams()
    {
        final byte[] video = ChunkBytes.payload(200, 1);
        final byte[] audio = ChunkBytes.payload(150, 2);
        final byte[] command = ChunkBytes.payload(20, 3);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 10, 200, VIDEO, 1).bytes(video, 0, 128)
            .fmt0(4, 12, 150, AUDIO, 1).bytes(audio, 0, 128)
            .fmt0(3, 0, 20, MessageType.AMF0_COMMAND, 0).bytes(command, 0, 20)
            .fmt3(4).bytes(audio, 128, 150)
            .fmt3(6).bytes(video, 128, 200)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(3, 0, MessageType.AMF0_COMMAND, 0, command),
            message(4, 12, AUDIO, 1, audio),
            message(6, 10, VIDEO, 1, video)), null);
    }

    @Test
    void encodesEveryCsidBoundaryWithItsBasicHeaderForm()
    {
        final int[] csids = { 2, 3, 63, 64, 65, 318, 319, 320, 321, 1000, 65598, 65599 };
        final ChunkBytes bytes = ChunkBytes.stream();
        final List<Message> expected = new ArrayList<>();
        int seed = 0;
        for (final int csid : csids)
        {
            // Two chunks each, so the fmt 3 continuation's basic header is checked too.
            final byte[] body = ChunkBytes.payload(130, seed++);
            bytes.fmt0(csid, seed, 130, VIDEO, 1).bytes(body, 0, 128).fmt3(csid).bytes(body, 128, 130);
            expected.add(message(csid, seed, VIDEO, 1, body));
        }
        final byte[] stream = bytes.toArray();
        assertDecodedHoweverSplit(stream, expected, null);
    }

    @Test
    void readsExtendedTimestampsRepeatedOnContinuationChunksAsFfmpegSendsThem()
    {
        final byte[] body = ChunkBytes.payload(260, 9);
        final byte[] next = ChunkBytes.payload(260, 10);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 0xFFFFFF, 260, VIDEO, 1).int32(0x01234567).bytes(body, 0, 128)
            .fmt3(6).int32(0x01234567).bytes(body, 128, 256)
            .fmt3(6).int32(0x01234567).bytes(body, 256, 260)
            // A delta that needs the extended field too, and a timestamp that wraps past 2^32.
            .fmt2(6, 0xFFFFFF).int32(0xFEDCBA9A).bytes(next, 0, 128)
            .fmt3(6).int32(0xFEDCBA9A).bytes(next, 128, 256)
            .fmt3(6).int32(0xFEDCBA9A).bytes(next, 256, 260)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(6, 0x01234567, VIDEO, 1, body),
            message(6, 0x01234567 + 0xFEDCBA9A, VIDEO, 1, next)), null);
    }

    @Test
    void readsAFmt3MessageStartWhoseDeltaIsExtended()
    {
        final byte[] a = ChunkBytes.payload(8, 1);
        final byte[] b = ChunkBytes.payload(8, 2);
        final byte[] c = ChunkBytes.payload(8, 3);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(4, 5, 8, AUDIO, 1).bytes(a, 0, 8)
            .fmt2(4, 0xFFFFFF).int32(0x01000000).bytes(b, 0, 8)
            .fmt3(4).int32(0x01000000).bytes(c, 0, 8)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(4, 5, AUDIO, 1, a),
            message(4, 5 + 0x01000000, AUDIO, 1, b),
            message(4, 5 + 0x02000000, AUDIO, 1, c)), null);
    }

    @Test
    void toleratesASenderThatDoesNotRepeatTheExtendedTimestampAndNeverMistakesPayloadForItAfterwards()
    {
        final byte[] body = ChunkBytes.payload(260, 3);
        final byte[] next = ChunkBytes.payload(200, 4);
        // The second message's continuation payload starts with the very bytes of its extended
        // timestamp: once the sender is known not to repeat, they must stay payload.
        next[128] = 0x02;
        next[129] = 0x00;
        next[130] = 0x00;
        next[131] = 0x00;
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 0xFFFFFF, 260, VIDEO, 1).int32(0x01000000).bytes(body, 0, 128)
            .fmt3(6).bytes(body, 128, 256)
            .fmt3(6).bytes(body, 256, 260)
            .fmt0(7, 0xFFFFFF, 200, VIDEO, 1).int32(0x02000000).bytes(next, 0, 128)
            .fmt3(7).bytes(next, 128, 200)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(6, 0x01000000, VIDEO, 1, body),
            message(7, 0x02000000, VIDEO, 1, next)), null);
    }

    @Test
    void appliesSetChunkSizeToTheVeryNextChunk()
    {
        final byte[] big = ChunkBytes.payload(3000, 1);
        final byte[] small = ChunkBytes.payload(120, 2);
        final byte[] setChunkSize4096 = { 0, 0, 0x10, 0 };
        final byte[] setChunkSize50 = { 0, 0, 0, 50 };
        final byte[] stream = ChunkBytes.stream()
            .fmt0(2, 0, 4, MessageType.SET_CHUNK_SIZE, 0).bytes(setChunkSize4096, 0, 4)
            .fmt0(6, 0, 3000, VIDEO, 1).bytes(big, 0, 3000)                  // one chunk now
            .fmt0(2, 0, 4, MessageType.SET_CHUNK_SIZE, 0).bytes(setChunkSize50, 0, 4)
            .fmt0(4, 0, 120, AUDIO, 1).bytes(small, 0, 50)
            .fmt3(4).bytes(small, 50, 100)
            .fmt3(4).bytes(small, 100, 120)
            .toArray();
        final Outcome outcome = assertDecodedHoweverSplit(stream, List.of(
            message(2, 0, MessageType.SET_CHUNK_SIZE, 0, setChunkSize4096),
            message(6, 0, VIDEO, 1, big),
            message(2, 0, MessageType.SET_CHUNK_SIZE, 0, setChunkSize50),
            message(4, 0, AUDIO, 1, small)), null);
        assertEquals(50, outcome.chunkSize());
    }

    @Test
    void chunkSizeSetFromTheHandlerGovernsTheNextChunk()
    {
        final byte[] first = ChunkBytes.payload(4, 1);
        final byte[] big = ChunkBytes.payload(1000, 2);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(3, 0, 4, MessageType.AMF0_COMMAND, 0).bytes(first, 0, 4)
            .fmt0(6, 0, 1000, VIDEO, 1).bytes(big, 0, 1000)
            .toArray();
        final ChunkDecoder decoder = new ChunkDecoder();
        final List<Integer> lengths = new ArrayList<>();
        decoder.decode(new UnsafeBuffer(stream), 0, stream.length, (csid, ts, type, sid, buffer, offset, length) ->
        {
            lengths.add(length);
            decoder.chunkSize(1000);
            return true;
        });
        assertEquals(List.of(4, 1000), lengths);
        assertFalse(decoder.hasFailed());
    }

    @Test
    void abortDropsTheChunkStreamsPartialMessage()
    {
        final byte[] dropped = ChunkBytes.payload(300, 1);
        final byte[] kept = ChunkBytes.payload(100, 2);
        final byte[] abort4 = { 0, 0, 0, 4 };
        final byte[] stream = ChunkBytes.stream()
            .fmt0(4, 10, 300, AUDIO, 1).bytes(dropped, 0, 128)
            .fmt0(2, 0, 4, MessageType.ABORT, 0).bytes(abort4, 0, 4)
            .fmt1(4, 10, 100, AUDIO).bytes(kept, 0, 100)       // a new message, not a continuation
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(2, 0, MessageType.ABORT, 0, abort4),
            message(4, 20, AUDIO, 1, kept)), null);
    }

    @Test
    void abortNamingAChunkStreamIdAbove2To31IsHandedOverWithoutDroppingAnything()
    {
        final byte[] abortHuge = { (byte)0xFF, (byte)0xFF, (byte)0xFF, (byte)0xFE };
        final byte[] stream = ChunkBytes.stream()
            .fmt0(2, 0, 4, MessageType.ABORT, 0).bytes(abortHuge, 0, 4)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(message(2, 0, MessageType.ABORT, 0, abortHuge)), null);
    }

    @Test
    void deliversEmptyMessagesAndAcceptsFmt1OnAFreshChunkStreamAsLibrtmpSendsPings()
    {
        final byte[] ping = { 0, 6, 0, 0, 0x0d, 0x0f };
        final byte[] stream = ChunkBytes.stream()
            .fmt0(5, 7, 0, MessageType.AMF0_DATA, 1)
            .fmt1(2, 0, 6, MessageType.USER_CONTROL).bytes(ping, 0, 6)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(
            message(5, 7, MessageType.AMF0_DATA, 1, new byte[0]),
            message(2, 0, MessageType.USER_CONTROL, 0, ping)), null);
    }

    @Test
    void acceptsAFmt1OrFmt2HeaderInTheMiddleOfAMessageThatKeepsItsLength()
    {
        final byte[] body = ChunkBytes.payload(200, 5);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 30, 200, VIDEO, 1).bytes(body, 0, 128)
            .fmt1(6, 0, 200, VIDEO).bytes(body, 128, 200)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(message(6, 30, VIDEO, 1, body)), null);
    }

    @Test
    void failsOnHeadersThatReferToNothing()
    {
        assertDecodedHoweverSplit(ChunkBytes.stream().fmt3(4).raw(1, 2, 3).toArray(), List.of(),
            "chunk stream 4 starts with a fmt 3 header, which refers to a previous one");
        assertDecodedHoweverSplit(ChunkBytes.stream().fmt2(70, 5).raw(1, 2, 3).toArray(), List.of(),
            "chunk stream 70 starts with a fmt 2 header, which refers to a previous one");
    }

    @Test
    void failsOnAFmt0InTheMiddleOfAMessage()
    {
        final byte[] body = ChunkBytes.payload(200, 1);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 0, 200, VIDEO, 1).bytes(body, 0, 128)
            .fmt0(6, 0, 200, VIDEO, 1).bytes(body, 0, 72)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(), "fmt 0 header in the middle of a message on chunk stream 6");
    }

    @Test
    void failsOnAFmt1ThatChangesTheLengthOfAMessageInProgress()
    {
        final byte[] body = ChunkBytes.payload(200, 1);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 0, 200, VIDEO, 1).bytes(body, 0, 128)
            .fmt1(6, 0, 300, VIDEO).bytes(body, 0, 72)
            .toArray();
        assertDecodedHoweverSplit(stream, List.of(),
            "message length changed from 200 to 300 in the middle of a message on chunk stream 6");
    }

    @Test
    void failsOnAMessageOverTheLengthBoundBeforeBufferingAnyOfIt()
    {
        final byte[] stream = ChunkBytes.stream().fmt0(6, 0, 0xFFFFFF, VIDEO, 1).raw(1, 2, 3).toArray();
        final ChunkDecoder decoder = new ChunkDecoder(1 << 20, 8, 1 << 20);
        final Outcome outcome = decode(decoder, stream, new int[0], false, true);
        assertEquals("message of 16777215 bytes on chunk stream 6 is over the limit of 1048576", outcome.failure());
        assertEquals(0, decoder.assemblyBytes());
        assertEquals(List.of(), outcome.messages());
    }

    @Test
    void failsOnOneChunkStreamTooMany()
    {
        final ChunkBytes bytes = ChunkBytes.stream();
        for (int csid = 3; csid <= 11; csid++)
        {
            bytes.fmt0(csid, 0, 1, AUDIO, 1).raw(csid);
        }
        final byte[] stream = bytes.toArray();
        final ChunkDecoder decoder = new ChunkDecoder(1000, 8, 1000);
        final Outcome outcome = decode(decoder, stream, new int[0], false, true);
        assertEquals(8, outcome.messages().size());
        assertEquals("chunk stream 11 would be one more than the 8 allowed", outcome.failure());
        assertEquals(8, decoder.chunkStreamCount());
    }

    @Test
    void failsWhenPartialMessagesWouldHoldMoreThanTheAssemblyBound()
    {
        final byte[] body = ChunkBytes.payload(128, 1);
        final ChunkBytes bytes = ChunkBytes.stream();
        for (int csid = 3; csid < 8; csid++)
        {
            bytes.fmt0(csid, 0, 5000, VIDEO, 1).bytes(body, 0, 128);   // five partial messages
        }
        final ChunkDecoder decoder = new ChunkDecoder(5000, 64, 4096);
        final Outcome outcome = decode(decoder, bytes.toArray(), new int[0], false, true);
        assertEquals("partial messages would hold 5120 bytes, over the limit of 4096", outcome.failure());
        assertTrue(decoder.assemblyBytes() <= 4096);
    }

    @Test
    void failsOnAnInvalidSetChunkSize()
    {
        assertDecodedHoweverSplit(
            ChunkBytes.stream().fmt0(2, 0, 4, MessageType.SET_CHUNK_SIZE, 0).raw(0, 0, 0, 0).toArray(), List.of(),
            "Set Chunk Size 0 outside 1..2147483647");
        assertDecodedHoweverSplit(
            ChunkBytes.stream().fmt0(2, 0, 4, MessageType.SET_CHUNK_SIZE, 0).raw(0x80, 0, 0, 1).toArray(), List.of(),
            "Set Chunk Size 2147483649 outside 1..2147483647");
        assertDecodedHoweverSplit(
            ChunkBytes.stream().fmt0(2, 0, 2, MessageType.SET_CHUNK_SIZE, 0).raw(0, 1).toArray(), List.of(),
            "Set Chunk Size of 2 bytes, not 4");
    }

    @Test
    void consumesNothingMoreOnceFailedUntilReset()
    {
        final byte[] bad = ChunkBytes.stream().fmt3(4).toArray();
        final byte[] good = ChunkBytes.stream().fmt0(4, 1, 1, AUDIO, 1).raw(9).toArray();
        final ChunkDecoder decoder = new ChunkDecoder();
        final RecordingMessageHandler handler = new RecordingMessageHandler();
        assertEquals(0, decoder.decode(new UnsafeBuffer(bad), 0, bad.length, handler));
        assertTrue(decoder.hasFailed());
        assertEquals(0, decoder.decode(new UnsafeBuffer(good), 0, good.length, handler));

        decoder.reset();
        assertNull(decoder.failureReason());
        assertEquals(good.length, decoder.decode(new UnsafeBuffer(good), 0, good.length, handler));
        assertEquals(List.of(message(4, 1, AUDIO, 1, new byte[]{ 9 })), handler.messages);
    }

    @Test
    void handsASingleChunkMessageOverAsAViewOfTheInputAndAssemblesTheRest()
    {
        final byte[] whole = ChunkBytes.stream().fmt0(4, 0, 3, AUDIO, 1).raw(1, 2, 3).toArray();
        final UnsafeBuffer input = new UnsafeBuffer(whole);
        final List<DirectBuffer> buffers = new ArrayList<>();
        final ChunkDecoder decoder = new ChunkDecoder();
        decoder.decode(input, 0, whole.length, (csid, ts, type, sid, buffer, offset, length) -> buffers.add(buffer));
        assertEquals(1, buffers.size());
        assertSame(input, buffers.get(0), "a message in one chunk, all there, is not copied");
        assertEquals(0, decoder.assemblyBytes());
    }

    @Test
    void reusesAssemblyBuffersSoSteadyDecodingAllocatesNothing()
    {
        final ChunkEncoder encoder = ChunkEncoder.compressing(128);
        final UnsafeBuffer stream = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer video = new UnsafeBuffer(ChunkBytes.payload(5000, 1));
        final UnsafeBuffer audio = new UnsafeBuffer(ChunkBytes.payload(100, 2));
        int length = 0;
        for (int i = 0; i < 5; i++)
        {
            // Extended timestamps: repeated on every continuation of the 5000-byte messages.
            length += encoder.encode(stream, length, 6, 0x01000000 + i * 40, VIDEO, 1, video, 0, 5000);
            length += encoder.encode(stream, length, 4, 0x01000000 + i * 23, AUDIO, 1, audio, 0, 100);
        }
        final ChunkDecoder decoder = new ChunkDecoder();
        final CountingHandler handler = new CountingHandler();
        final int rounds = 2_000;
        final int streamLength = length;
        final int[] round = { 0 };
        AllocationCheck.assertAllocatesNothing("decoding 10 messages", rounds, () ->
        {
            // The stream starts each chunk stream with fmt 0, so it decodes again and again; cut
            // somewhere to go through the partial-chunk path too.
            final int cut = 1 + (round[0]++ % 1000);
            final int first = decoder.decode(stream, 0, cut, handler);
            decoder.decode(stream, first, streamLength - first, handler);
        });
        assertEquals((long)AllocationCheck.RUNS * rounds * 10, handler.messages);
        assertFalse(decoder.hasFailed(), decoder.failureReason());
    }

    @Test
    void decodesWhatTheEncoderWritesAtManyChunkSizes()
    {
        final byte[] big = ChunkBytes.payload(70_000, 3);
        final byte[] small = ChunkBytes.payload(33, 4);
        for (final int chunkSize : new int[]{ 1, 2, 7, 128, 129, 4096, 60_000, 1 << 24 })
        {
            for (final boolean compress : new boolean[]{ false, true })
            {
                final ChunkEncoder encoder = compress ? ChunkEncoder.compressing(chunkSize) : ChunkEncoder.stateless(chunkSize);
                final UnsafeBuffer out = new UnsafeBuffer(new byte[4 << 20]);
                final List<Message> expected = new ArrayList<>();
                int length = 0;
                int timestamp = 0x00FFFF00;
                for (int i = 0; i < 6; i++)
                {
                    timestamp += 0x80;   // crosses 0xFFFFFF: extended timestamps from the 3rd message on
                    final byte[] body = i % 2 == 0 ? big : small;
                    final int csid = i % 3 == 0 ? 6 : 70_000 - 4500;
                    length += encoder.encode(out, length, csid, timestamp, VIDEO, 1, new UnsafeBuffer(body), 0, body.length);
                    expected.add(message(csid, timestamp, VIDEO, 1, body));
                }
                final ChunkDecoder decoder = new ChunkDecoder();
                decoder.chunkSize(chunkSize);
                final RecordingMessageHandler handler = new RecordingMessageHandler();
                final byte[] bytes = new byte[length];
                out.getBytes(0, bytes);
                // A few split patterns; the exhaustive splits run on the small streams above.
                for (final int piece : new int[]{ length, 1000, 3 })
                {
                    handler.messages.clear();
                    decoder.reset();
                    decoder.chunkSize(chunkSize);
                    final InputBuffer input = new InputBuffer(length, piece == 3);
                    for (int from = 0; from < length; from += piece)
                    {
                        input.receive(bytes, from, Math.min(piece, length - from),
                            (buffer, offset, n) -> decoder.decode(buffer, offset, n, handler));
                    }
                    final String label = "chunk size " + chunkSize + (compress ? " compressed" : " stateless") + ", pieces of " + piece;
                    assertNull(decoder.failureReason(), label);
                    assertEquals(expected, handler.messages, label);
                    assertEquals(0, input.pending(), label);
                }
            }
        }
    }

    @Test
    void messagesAreCopiedOutOfTheAssemblyBufferIntact()
    {
        final byte[] body = ChunkBytes.payload(1000, 11);
        final byte[] stream = ChunkBytes.stream()
            .fmt0(6, 0, 1000, VIDEO, 1).bytes(body, 0, 128)
            .fmt3(6).bytes(body, 128, 256).fmt3(6).bytes(body, 256, 384).fmt3(6).bytes(body, 384, 512)
            .fmt3(6).bytes(body, 512, 640).fmt3(6).bytes(body, 640, 768).fmt3(6).bytes(body, 768, 896)
            .fmt3(6).bytes(body, 896, 1000)
            .toArray();
        final Outcome outcome = decode(new ChunkDecoder(), stream, new int[]{ 5, 300, 301, 900 }, true, true);
        assertArrayEquals(body, outcome.messages().get(0).payload());
    }

    /** Counts only, for the allocation test. */
    private static final class CountingHandler implements MessageHandler
    {
        long messages;
        long bytes;

        @Override
        public boolean onMessage(
            final int csid,
            final int timestamp,
            final int typeId,
            final int messageStreamId,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            messages++;
            bytes += length;
            return true;
        }
    }
}
