package dev.mpserver.protocol.rtmp;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlvFactsTest
{
    private static UnsafeBuffer bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return new UnsafeBuffer(bytes);
    }

    private static boolean key(final UnsafeBuffer body)
    {
        return VideoTag.isKeyFrame(body, 0, body.capacity());
    }

    private static boolean videoHeader(final UnsafeBuffer body)
    {
        return VideoTag.isSequenceHeader(body, 0, body.capacity());
    }

    @Test
    void tellsLegacyAvcKeyframesAndSequenceHeaders()
    {
        assertTrue(key(bytes(0x17, 0x01, 0, 0, 0)));
        assertFalse(videoHeader(bytes(0x17, 0x01, 0, 0, 0)));
        assertTrue(videoHeader(bytes(0x17, 0x00, 0, 0, 0, 1)));
        assertTrue(key(bytes(0x17, 0x00, 0, 0, 0, 1)), "a sequence header is a keyframe too");
        assertFalse(key(bytes(0x27, 0x01, 0, 0, 0)));
        assertEquals(VideoTag.FRAME_TYPE_INTER, VideoTag.frameType(bytes(0x27, 0x01), 0, 2));
        assertTrue(videoHeader(bytes(0x1C, 0x00)), "legacy HEVC (codec 12)");
        assertFalse(videoHeader(bytes(0x12, 0x00)), "Sorenson H.263 has no sequence header");
        assertFalse(videoHeader(bytes(0x17)));
        assertFalse(key(bytes()));
        assertEquals(VideoTag.CODEC_AVC, VideoTag.codecId(bytes(0x27, 1), 0, 2));
    }

    @Test
    void tellsEnhancedRtmpFramesByTheirOwnBits()
    {
        final int hvc1 = VideoTag.fourCc("hvc1");
        // 0x90 = ExHeader | keyframe (1) << 4 | SequenceStart (0): not "frame type 9".
        final UnsafeBuffer sequenceStart = new UnsafeBuffer(ByteBuffer.allocate(6).put((byte)0x90).putInt(hvc1).put((byte)1).array());
        assertTrue(VideoTag.isEnhanced(sequenceStart, 0, 6));
        assertTrue(key(sequenceStart));
        assertTrue(videoHeader(sequenceStart));
        assertEquals(VideoTag.FOURCC_HVC1, VideoTag.fourCc(sequenceStart, 0, 6));
        assertEquals(VideoTag.NO_CODEC_ID, VideoTag.codecId(sequenceStart, 0, 6));

        final UnsafeBuffer codedKey = new UnsafeBuffer(ByteBuffer.allocate(5).put((byte)0x91).putInt(VideoTag.FOURCC_AV01).array());
        assertTrue(key(codedKey));
        assertFalse(videoHeader(codedKey));
        final UnsafeBuffer codedInterX = new UnsafeBuffer(ByteBuffer.allocate(5).put((byte)0xA3).putInt(VideoTag.FOURCC_VP09).array());
        assertFalse(key(codedInterX));
        assertEquals(VideoTag.FRAME_TYPE_INTER, VideoTag.frameType(codedInterX, 0, 5));
        assertEquals(0, VideoTag.fourCc(bytes(0x17, 0, 0, 0, 0), 0, 5), "no FourCC in a legacy header");
    }

    @Test
    void tellsAacAndEnhancedAudioSequenceHeaders()
    {
        assertTrue(AudioTag.isSequenceHeader(bytes(0xAF, 0x00, 0x12, 0x10), 0, 4));
        assertFalse(AudioTag.isSequenceHeader(bytes(0xAF, 0x01, 0x21), 0, 3));
        assertFalse(AudioTag.isSequenceHeader(bytes(0x2F, 0x00), 0, 2), "MP3 has none");
        assertFalse(AudioTag.isSequenceHeader(bytes(0xAF), 0, 1));
        assertTrue(AudioTag.isSequenceHeader(bytes(0x90, 'm', 'p', '4', 'a'), 0, 5));
        assertFalse(AudioTag.isSequenceHeader(bytes(0x91, 'm', 'p', '4', 'a'), 0, 5));
        assertEquals(AudioTag.SOUND_FORMAT_AAC, AudioTag.soundFormat(bytes(0xAF), 0, 1));
    }

    @Test
    void recognisesMetadataWithAndWithoutSetDataFrame()
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer();
        final Amf0Writer writer = new Amf0Writer();
        int length = CommandWriter.setDataFrameOpen(writer.wrap(body, 0), 1).property("width", 320).objectEnd().length();
        assertTrue(DataMessage.isSetDataFrame(body, 0, length));
        assertEquals(Amf0.stringLength("@setDataFrame"), DataMessage.metaDataOffset(body, 0, length));

        length = CommandWriter.onMetaDataOpen(writer.wrap(body, 0), 1).property("width", 320).objectEnd().length();
        assertFalse(DataMessage.isSetDataFrame(body, 0, length));
        assertTrue(DataMessage.isMetaData(body, 0, length));
        assertEquals(0, DataMessage.metaDataOffset(body, 0, length));

        length = CommandWriter.sampleAccess(writer.wrap(body, 0)).length();
        assertFalse(DataMessage.isMetaData(body, 0, length));
        length = writer.wrap(body, 0).string("@setDataFrame").string("onCuePoint").length();
        assertEquals(DataMessage.NOT_METADATA, DataMessage.metaDataOffset(body, 0, length));
        assertFalse(DataMessage.isMetaData(body, 0, 5), "cut short");
    }

    @Test
    void iteratesAggregateSubMessagesWithTheirRtmpTimestamps()
    {
        final ByteBuffer aggregate = ByteBuffer.allocate(64);
        // Video tag, 3 bytes, publisher clock 0x01000010; audio tag, 2 bytes, 0x01000030.
        aggregate.put((byte)9).put(new byte[]{ 0, 0, 3 }).put(new byte[]{ 0, 0, 0x10 }).put((byte)1).put(new byte[3])
            .put(new byte[]{ 0x17, 1, 2 }).putInt(14);
        aggregate.put((byte)8).put(new byte[]{ 0, 0, 2 }).put(new byte[]{ 0, 0, 0x30 }).put((byte)1).put(new byte[3])
            .put(new byte[]{ (byte)0xAF, 1 }).putInt(13);
        final int length = aggregate.position();
        final UnsafeBuffer buffer = new UnsafeBuffer(aggregate.array());
        final AggregateMessageReader reader = new AggregateMessageReader().wrap(buffer, 0, length, 5000);

        assertTrue(reader.next());
        assertEquals(MessageType.VIDEO, reader.tagType());
        assertEquals(5000, reader.timestamp());
        assertEquals(3, reader.dataLength());
        assertTrue(VideoTag.isKeyFrame(buffer, reader.dataOffset(), reader.dataLength()));
        assertEquals(14, reader.previousTagSize());
        assertTrue(reader.next());
        assertEquals(MessageType.AUDIO, reader.tagType());
        assertEquals(5000 + 0x20, reader.timestamp());
        assertFalse(reader.next());
        assertFalse(reader.isMalformed());

        reader.wrap(buffer, 0, length - 1, 0);
        assertTrue(reader.next());
        assertFalse(reader.next());
        assertEquals("aggregate tag of 2 bytes runs past the message's end", reader.malformedReason());
        reader.wrap(buffer, 0, 5, 0);
        assertFalse(reader.next());
        assertEquals("aggregate ends inside a tag header", reader.malformedReason());
    }
}
