package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.MessageType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The skimming reader sees the same messages as protocol's ChunkDecoder (type, stream, timestamp,
 * length; whole commands, the first bytes of media) in every split of the bytes, with compressed
 * and extended-timestamp headers, while holding only prefixes.
 */
class SkimmingChunkReaderTest
{
    private record Seen(int typeId, int streamId, int timestamp, int length, byte[] kept)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Seen s && s.typeId == typeId && s.streamId == streamId && s.timestamp == timestamp
                && s.length == length && Arrays.equals(s.kept, kept);
        }

        @Override
        public int hashCode()
        {
            return typeId * 31 + timestamp;
        }
    }

    @Test
    void seesWhatTheFullDecoderSeesInEverySplit()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (final boolean compressed : new boolean[] {false, true})
        {
            final ExpandableArrayBuffer wire = new ExpandableArrayBuffer(1 << 20);
            final ChunkEncoder encoder = compressed ? ChunkEncoder.compressing(128) : ChunkEncoder.stateless(128);
            final ControlMessageWriter control = new ControlMessageWriter(encoder);
            int length = 0;
            int timestamp = 0xFFFFF0; // crosses into extended timestamps on the way
            for (int i = 0; i < 60; i++)
            {
                if (i == 20)
                {
                    length += control.setChunkSize(wire, length, 1000);
                }
                final int type = i % 5 == 0 ? MessageType.AMF0_COMMAND : i % 2 == 0 ? MessageType.VIDEO : MessageType.AUDIO;
                final int size = type == MessageType.VIDEO ? 1 + random.nextInt(9000) : type == MessageType.AUDIO ? 1 + random.nextInt(300)
                    : 10 + random.nextInt(600);
                final byte[] body = new byte[size];
                random.nextBytes(body);
                final int csid = type == MessageType.VIDEO ? 6 : type == MessageType.AUDIO ? 4 : 3;
                length += encoder.encode(wire, length, csid, timestamp, type, 1, new UnsafeBuffer(body), 0, size);
                timestamp += 1 + random.nextInt(40);
            }
            final List<Seen> expected = decodeWhole(wire, length);
            for (int trial = 0; trial < 20; trial++)
            {
                assertEquals(expected, skim(wire, length, random), "compressed=" + compressed + " trial " + trial);
            }
        }
    }

    @Test
    void keepsOnlyAPrefixOfMediaButWholeCommands()
    {
        final ChunkEncoder encoder = ChunkEncoder.stateless(4096);
        final ExpandableArrayBuffer wire = new ExpandableArrayBuffer(1 << 20);
        final byte[] keyframe = new byte[200_000];
        int length = encoder.encode(wire, 0, 6, 0, MessageType.VIDEO, 1, new UnsafeBuffer(keyframe), 0, keyframe.length);
        final byte[] command = new byte[3000];
        length += encoder.encode(wire, length, 3, 0, MessageType.AMF0_COMMAND, 0, new UnsafeBuffer(command), 0, command.length);
        final SkimmingChunkReader reader = new SkimmingChunkReader();
        final List<Seen> seen = new ArrayList<>();
        final SkimmingChunkReader.Listener listener = listener(seen);
        int at = 0;
        // 4096-byte chunks: tell the reader as a Set Chunk Size would.
        final ExpandableArrayBuffer set = new ExpandableArrayBuffer(64);
        final int setLength = new ControlMessageWriter(ChunkEncoder.stateless(128)).setChunkSize(set, 0, 4096);
        assertEquals(setLength, reader.read(set, 0, setLength, listener));
        while (at < length)
        {
            at += reader.read(wire, at, Math.min(1500, length - at), listener);
        }
        assertFalse(reader.hasFailed(), reader.failureReason());
        assertEquals(2, seen.size());
        assertEquals(200_000, seen.get(0).length());
        assertEquals(SkimmingChunkReader.MEDIA_PREFIX, seen.get(0).kept().length);
        assertEquals(3000, seen.get(1).kept().length);
        assertTrue(reader.heldBytes() < 8 * 1024, "a 200 kB keyframe costs the reader " + reader.heldBytes() + " bytes");
    }

    private static List<Seen> decodeWhole(final DirectBuffer wire, final int length)
    {
        final List<Seen> seen = new ArrayList<>();
        final ChunkDecoder decoder = new ChunkDecoder();
        final int consumed = decoder.decode(wire, 0, length, (csid, timestamp, typeId, streamId, buffer, offset, len) ->
        {
            if (typeId == MessageType.SET_CHUNK_SIZE)
            {
                return true;
            }
            final boolean media = typeId == MessageType.AUDIO || typeId == MessageType.VIDEO;
            final byte[] kept = new byte[media ? Math.min(len, SkimmingChunkReader.MEDIA_PREFIX) : len];
            buffer.getBytes(offset, kept);
            seen.add(new Seen(typeId, streamId, timestamp, len, kept));
            return true;
        });
        assertEquals(length, consumed, decoder.failureReason());
        return seen;
    }

    /** Feed the bytes in random pieces, carrying the unconsumed rest as a client does. */
    private static List<Seen> skim(final DirectBuffer wire, final int length, final SplittableRandom random)
    {
        final List<Seen> seen = new ArrayList<>();
        final SkimmingChunkReader reader = new SkimmingChunkReader();
        final SkimmingChunkReader.Listener listener = listener(seen);
        final UnsafeBuffer input = new UnsafeBuffer(new byte[length + 64]);
        int carried = 0;
        int at = 0;
        while (at < length)
        {
            final int piece = Math.min(length - at, 1 + random.nextInt(3000));
            input.putBytes(carried, wire, at, piece);
            at += piece;
            final int available = carried + piece;
            final int consumed = reader.read(input, 0, available, listener);
            assertFalse(reader.hasFailed(), reader.failureReason());
            input.putBytes(0, input, consumed, available - consumed);
            carried = available - consumed;
            assertTrue(carried <= 18, "only a partial chunk header is left over: " + carried);
        }
        assertEquals(0, carried);
        return seen;
    }

    private static SkimmingChunkReader.Listener listener(final List<Seen> seen)
    {
        return new SkimmingChunkReader.Listener()
        {
            @Override
            public boolean onMessage(final int timestamp, final int typeId, final int streamId, final DirectBuffer buffer,
                final int offset, final int length)
            {
                if (typeId != MessageType.SET_CHUNK_SIZE)
                {
                    final byte[] kept = new byte[length];
                    buffer.getBytes(offset, kept);
                    seen.add(new Seen(typeId, streamId, timestamp, length, kept));
                }
                return true;
            }

            @Override
            public boolean onMedia(final int timestamp, final int typeId, final int streamId, final DirectBuffer prefix,
                final int kept, final int length)
            {
                final byte[] bytes = new byte[kept];
                prefix.getBytes(0, bytes);
                seen.add(new Seen(typeId, streamId, timestamp, length, bytes));
                return true;
            }
        };
    }
}
