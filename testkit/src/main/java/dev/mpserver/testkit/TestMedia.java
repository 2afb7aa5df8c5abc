package dev.mpserver.testkit;

import java.nio.ByteOrder;

import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.VideoTag;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The synthetic media {@link RtmpTestClient} sends and reads back: a video message is an AVC tag
 * (keyframe {@code 0x17}, inter frame {@code 0x27}, packet type 1, composition time 0), an audio
 * message a raw AAC tag, and each payload carries the frame's number, so that a player can tell
 * which frames it got and in what order.
 *
 * <pre>
 *   0      1      2              5                 9
 *   +------+------+--------------+-----------------+---------
 *   | tag  | type | (composition)| number: i32 BE  | filler ...
 *   +------+------+--------------+-----------------+---------
 * </pre>
 */
final class TestMedia
{
    static final int FRAME_NUMBER_OFFSET = 5;

    private static final int AVC_KEY = 0x17;
    private static final int AVC_INTER = 0x27;
    private static final int AAC = 0xAF;
    private static final int AAC_RAW = 1;

    private TestMedia()
    {
    }

    /** AVCDecoderConfigurationRecord's first bytes: enough for a server to see a sequence header. */
    static byte[] videoSequenceHeader()
    {
        return new byte[] {AVC_KEY, 0, 0, 0, 0, 1, 0x42, 0, 0x1e, (byte)0xff};
    }

    /** AudioSpecificConfig: AAC LC, 44.1 kHz, stereo. */
    static byte[] audioSequenceHeader()
    {
        return new byte[] {(byte)AAC, 0, 0x12, 0x10};
    }

    /** A video frame of {@code size} bytes (at least 9) carrying {@code number}. */
    static byte[] video(final int number, final boolean keyFrame, final int size)
    {
        final byte[] frame = new byte[Math.max(FRAME_NUMBER_OFFSET + Integer.BYTES, size)];
        frame[0] = (byte)(keyFrame ? AVC_KEY : AVC_INTER);
        frame[1] = VideoTag.AVC_NALU;
        new UnsafeBuffer(frame).putInt(FRAME_NUMBER_OFFSET, number, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    /** A raw AAC frame carrying {@code number}. */
    static byte[] audio(final int number)
    {
        final byte[] frame = new byte[FRAME_NUMBER_OFFSET + Integer.BYTES + 8];
        frame[0] = (byte)AAC;
        frame[1] = AAC_RAW;
        new UnsafeBuffer(frame).putInt(FRAME_NUMBER_OFFSET, number, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    /** @return the number a frame of this kind carries, or -1 for a payload too short to carry one. */
    static int frameNumber(final byte[] payload)
    {
        return payload.length >= FRAME_NUMBER_OFFSET + Integer.BYTES ?
            new UnsafeBuffer(payload).getInt(FRAME_NUMBER_OFFSET, ByteOrder.BIG_ENDIAN) : -1;
    }

    static boolean isVideoKeyFrame(final int typeId, final byte[] payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        return typeId == MessageType.VIDEO && !VideoTag.isSequenceHeader(buffer, 0, payload.length) &&
            VideoTag.isKeyFrame(buffer, 0, payload.length);
    }
}
