package dev.mpserver.protocol.rtmp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkEncoderTest
{
    private static final int VIDEO = MessageType.VIDEO;
    private static final int AUDIO = MessageType.AUDIO;

    private static byte[] encode(
        final ChunkEncoder encoder, final int csid, final int timestamp, final int typeId, final int streamId, final byte[] body)
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[body.length * 8 + 64]);
        final int length = encoder.encode(out, 0, csid, timestamp, typeId, streamId, new UnsafeBuffer(body), 0, body.length);
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }

    @Test
    void writesTheSpecsChunksForAMessageOverSeveralChunks()
    {
        final byte[] body = ChunkBytes.payload(300, 1);
        final byte[] expected = ChunkBytes.stream()
            .fmt0(6, 40, 300, VIDEO, 1).bytes(body, 0, 128)
            .fmt3(6).bytes(body, 128, 256)
            .fmt3(6).bytes(body, 256, 300)
            .toArray();
        assertArrayEquals(expected, encode(ChunkEncoder.stateless(128), 6, 40, VIDEO, 1, body));
        assertEquals(expected.length, ChunkEncoder.encodedLength(128, 6, 40, 300));
    }

    @Test
    void repeatsTheExtendedTimestampOnEveryContinuationChunk()
    {
        final byte[] body = ChunkBytes.payload(260, 2);
        final byte[] expected = ChunkBytes.stream()
            .fmt0(320, 0xFFFFFF, 260, VIDEO, 7).int32(0xFFFFFFFF).bytes(body, 0, 128)
            .fmt3(320).int32(0xFFFFFFFF).bytes(body, 128, 256)
            .fmt3(320).int32(0xFFFFFFFF).bytes(body, 256, 260)
            .toArray();
        assertArrayEquals(expected, encode(ChunkEncoder.stateless(128), 320, 0xFFFFFFFF, VIDEO, 7, body));
        assertEquals(expected.length, ChunkEncoder.encodedLength(128, 320, 0xFFFFFFFF, 260));
        // The boundary: 0xFFFFFE fits the 3-byte field, 0xFFFFFF does not.
        assertEquals(1 + 11 + 4, ChunkEncoder.encodedLength(128, 2, 0xFFFFFE, 4));
        assertEquals(1 + 11 + 4 + 4, ChunkEncoder.encodedLength(128, 2, 0xFFFFFF, 4));
    }

    @Test
    void compressesHeadersLikeFfmpegButNeverStartsAMessageWithFmt3RightAfterFmt0()
    {
        final ChunkEncoder encoder = ChunkEncoder.compressing(128);
        final byte[] a = ChunkBytes.payload(4, 1);
        final byte[] expected = ChunkBytes.stream()
            .fmt0(4, 1000, 4, AUDIO, 1).bytes(a, 0, 4)
            .fmt2(4, 23).bytes(a, 0, 4)           // after a fmt 0: fmt 2 even if 23 were 1000
            .fmt3(4).bytes(a, 0, 4)               // same delta: fmt 3
            .fmt2(4, 24).bytes(a, 0, 4)           // new delta
            .fmt1(4, 10, 2, VIDEO).bytes(a, 0, 2) // new length and type
            .fmt0(4, 5, 2, VIDEO, 1).bytes(a, 0, 2) // time went back: whole timestamp
            .fmt0(4, 6, 2, VIDEO, 3).bytes(a, 0, 2) // another message stream
            .toArray();
        final byte[] actual = concat(
            encode(encoder, 4, 1000, AUDIO, 1, a),
            encode(encoder, 4, 1023, AUDIO, 1, a),
            encode(encoder, 4, 1046, AUDIO, 1, a),
            encode(encoder, 4, 1070, AUDIO, 1, a),
            encode(encoder, 4, 1080, VIDEO, 1, Arrays.copyOf(a, 2)),
            encode(encoder, 4, 5, VIDEO, 1, Arrays.copyOf(a, 2)),
            encode(encoder, 4, 6, VIDEO, 3, Arrays.copyOf(a, 2)));
        assertArrayEquals(expected, actual);

        encoder.forget(4);
        assertArrayEquals(ChunkBytes.stream().fmt0(4, 7, 2, VIDEO, 3).bytes(a, 0, 2).toArray(),
            encode(encoder, 4, 7, VIDEO, 3, Arrays.copyOf(a, 2)), "after forget: fmt 0");
    }

    @Test
    void statelessOutputDependsOnlyOnTheMessage()
    {
        final byte[] body = ChunkBytes.payload(1000, 3);
        final ChunkEncoder fresh = ChunkEncoder.stateless(128);
        final ChunkEncoder used = ChunkEncoder.stateless(128);
        encode(used, 6, 10, VIDEO, 1, ChunkBytes.payload(1000, 4));
        encode(used, 6, 50, VIDEO, 1, ChunkBytes.payload(10, 5));
        assertArrayEquals(encode(fresh, 6, 90, VIDEO, 1, body), encode(used, 6, 90, VIDEO, 1, body));
    }

    @Test
    void refusesWhatCannotBeEncoded()
    {
        final ChunkEncoder encoder = ChunkEncoder.stateless(128);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
        final UnsafeBuffer body = new UnsafeBuffer(new byte[4]);
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(out, 0, 1, 0, VIDEO, 1, body, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(out, 0, 65600, 0, VIDEO, 1, body, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(out, 0, 3, 0, 256, 1, body, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> encoder.chunkSize(0));
    }

    @Test
    void encodesWithoutAllocating()
    {
        final ChunkEncoder compressing = ChunkEncoder.compressing(4096);
        final ChunkEncoder stateless = ChunkEncoder.stateless(4096);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64 * 1024]);
        final UnsafeBuffer video = new UnsafeBuffer(ChunkBytes.payload(20_000, 1));
        final int rounds = 20_000;
        final long[] written = { 0 };
        final int[] round = { 0 };
        AllocationCheck.assertAllocatesNothing("encoding", rounds, () ->
        {
            final int timestamp = 0x00FFFF00 + round[0]++ * 40;
            written[0] += compressing.encode(out, 0, 6, timestamp, VIDEO, 1, video, 0, 20_000);
            written[0] += stateless.encode(out, 0, 6, timestamp, VIDEO, 1, video, 0, 20_000);
        });
        assertTrue(written[0] > 2L * AllocationCheck.RUNS * rounds * 20_000);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
