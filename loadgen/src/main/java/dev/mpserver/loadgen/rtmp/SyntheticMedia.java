package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.AudioTag;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.VideoTag;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The synthetic FLV stream a publisher sends: bodies that are plausible AVC and AAC tags (right codec
 * headers, one length-prefixed NAL unit of the right type), each carrying loadgen's stamp where a
 * decoder would find slice data. A player reads the stamp from the first {@link #STAMP_END_MAX} bytes
 * of a media message and never needs the rest.
 *
 * <p>Video frame (message type 9), {@link #videoFrameLength} bytes:
 * <pre>
 *   0      1      2                5                         9      10                        30
 *   +------+------+----------------+-------------------------+------+-------------------------+---------+
 *   | 0x17 | 0x01 | composition 0  | NALU length: u32 BE     | NAL  | stamp (below)           | filler  |
 *   | 0x27 | NALU | s24 BE         | (= body length - 9)     | 0x65 |                         | 0x00... |
 *   +------+------+----------------+-------------------------+ 0x41 +-------------------------+---------+
 *   key/inter                                                   IDR / non-IDR slice
 *   ^ frame type | codec 7 (AVC)                                       ^ VIDEO_STAMP_OFFSET
 * </pre>
 * Audio frame (message type 8):
 * <pre>
 *   0      1      2                         22
 *   +------+------+-------------------------+---------+
 *   | 0xAF | 0x01 | stamp (below)           | filler  |    AAC, 44.1 kHz, 16 bit, stereo; raw frame
 *   +------+------+-------------------------+---------+
 *                 ^ AUDIO_STAMP_OFFSET
 * </pre>
 * Stamp, {@link #STAMP_LENGTH} bytes, big-endian:
 * <pre>
 *   0                4                8                12                               20
 *   +----------------+----------------+----------------+--------------------------------+
 *   | magic 'LGRT'   | stream: u32    | seq: u32       | intended send: i64 ns after     |
 *   |                |                | per track      | the run's time zero             |
 *   +----------------+----------------+----------------+--------------------------------+
 * </pre>
 * The sequence headers are a real AVCDecoderConfigurationRecord (baseline, one SPS and one PPS of a
 * 320x240 stream) and AudioSpecificConfig (AAC LC, 44.1 kHz, stereo): servers that parse them (SRS,
 * nginx-rtmp) accept them.
 */
public final class SyntheticMedia
{
    public static final int MAGIC = ('L' << 24) | ('G' << 16) | ('R' << 8) | 'T';

    public static final int STAMP_MAGIC_OFFSET = 0;
    public static final int STAMP_STREAM_OFFSET = STAMP_MAGIC_OFFSET + Integer.BYTES;
    public static final int STAMP_SEQ_OFFSET = STAMP_STREAM_OFFSET + Integer.BYTES;
    public static final int STAMP_INTENDED_OFFSET = STAMP_SEQ_OFFSET + Integer.BYTES;
    public static final int STAMP_LENGTH = STAMP_INTENDED_OFFSET + Long.BYTES;

    public static final int VIDEO_FLV_HEADER_LENGTH = 5;
    public static final int NALU_LENGTH_OFFSET = VIDEO_FLV_HEADER_LENGTH;
    public static final int NAL_HEADER_OFFSET = NALU_LENGTH_OFFSET + Integer.BYTES;
    public static final int VIDEO_STAMP_OFFSET = NAL_HEADER_OFFSET + 1;
    public static final int MIN_VIDEO_FRAME_LENGTH = VIDEO_STAMP_OFFSET + STAMP_LENGTH;

    public static final int AUDIO_STAMP_OFFSET = AudioTag.AAC_PACKET_TYPE_OFFSET + 1;
    public static final int MIN_AUDIO_FRAME_LENGTH = AUDIO_STAMP_OFFSET + STAMP_LENGTH;

    /** A player needs this many bytes of a media message to read its stamp. */
    public static final int STAMP_END_MAX = Math.max(VIDEO_STAMP_OFFSET, AUDIO_STAMP_OFFSET) + STAMP_LENGTH;

    public static final int VIDEO_KEY_AVC = (VideoTag.FRAME_TYPE_KEY << 4) | VideoTag.CODEC_AVC;
    public static final int VIDEO_INTER_AVC = (VideoTag.FRAME_TYPE_INTER << 4) | VideoTag.CODEC_AVC;
    /** AAC (10), 44 kHz (3), 16 bit (1), stereo (1). */
    public static final int AUDIO_AAC = (AudioTag.SOUND_FORMAT_AAC << 4) | (3 << 2) | (1 << 1) | 1;
    public static final int NAL_IDR_SLICE = 0x65;
    public static final int NAL_NON_IDR_SLICE = 0x41;

    /** AAC frames carry 1024 samples; at 44.1 kHz that is a frame every 23.2 ms. */
    public static final double AUDIO_FRAMES_PER_SECOND = 44_100.0 / 1024;
    /** Audio bit rate the publishers send beside the video (64 kbit/s, about 186 bytes a frame). */
    public static final int AUDIO_BITS_PER_SECOND = 64_000;
    /** The picture size the SPS and the metadata announce. */
    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;
    /** FLV codec ids the metadata names: AVC video, AAC audio. */
    public static final int VIDEO_CODEC_ID = VideoTag.CODEC_AVC;
    public static final int AUDIO_CODEC_ID = AudioTag.SOUND_FORMAT_AAC;
    /** A keyframe is this many times an inter frame, as an encoder's I frames are. */
    public static final int KEYFRAME_WEIGHT = 8;

    private static final byte[] SPS = {
        0x67, 0x42, (byte)0xC0, 0x0D, (byte)0xDA, 0x05, 0x07, (byte)0xEC, 0x04, 0x40, 0x00, 0x00, 0x03, 0x00, 0x40,
        0x00, 0x00, 0x0C, (byte)0xA3, (byte)0xC5, 0x0A, (byte)0xA8 };
    private static final byte[] PPS = { 0x68, (byte)0xCE, 0x0F, (byte)0xC8 };
    private static final byte[] AVC_SEQUENCE_HEADER = buildAvcSequenceHeader();
    /** AAC sequence header: 0xAF 0x00, AudioSpecificConfig AAC LC (2), 44.1 kHz (index 4), 2 channels. */
    private static final byte[] AAC_SEQUENCE_HEADER = { (byte)AUDIO_AAC, 0x00, 0x12, 0x10 };

    private SyntheticMedia()
    {
    }

    private static byte[] buildAvcSequenceHeader()
    {
        final byte[] body = new byte[VIDEO_FLV_HEADER_LENGTH + 6 + 2 + SPS.length + 1 + 2 + PPS.length];
        int i = 0;
        body[i++] = (byte)VIDEO_KEY_AVC;
        body[i++] = (byte)VideoTag.AVC_SEQUENCE_HEADER;
        i += 3;
        body[i++] = 1;                  // configurationVersion
        body[i++] = SPS[1];             // profile
        body[i++] = SPS[2];             // compatibility
        body[i++] = SPS[3];             // level
        body[i++] = (byte)0xFF;         // 6 bits reserved, lengthSizeMinusOne = 3
        body[i++] = (byte)0xE1;         // 3 bits reserved, one SPS
        body[i++] = 0;
        body[i++] = (byte)SPS.length;
        System.arraycopy(SPS, 0, body, i, SPS.length);
        i += SPS.length;
        body[i++] = 1;                  // one PPS
        body[i++] = 0;
        body[i++] = (byte)PPS.length;
        System.arraycopy(PPS, 0, body, i, PPS.length);
        return body;
    }

    /** @return the AVC sequence header body (a copy the caller may keep). */
    public static byte[] avcSequenceHeader()
    {
        return AVC_SEQUENCE_HEADER.clone();
    }

    public static byte[] aacSequenceHeader()
    {
        return AAC_SEQUENCE_HEADER.clone();
    }

    /** Bytes of an inter frame for a video bit rate (keyframes weigh {@link #KEYFRAME_WEIGHT}). */
    public static int interFrameLength(final long videoBitsPerSecond, final int fps, final int gop)
    {
        final double gopBytes = videoBitsPerSecond / 8.0 * gop / fps;
        final double weights = gop == 1 ? KEYFRAME_WEIGHT : gop - 1 + KEYFRAME_WEIGHT;
        return Math.max(MIN_VIDEO_FRAME_LENGTH, (int)Math.round(gopBytes / weights));
    }

    public static int keyFrameLength(final long videoBitsPerSecond, final int fps, final int gop)
    {
        return Math.max(MIN_VIDEO_FRAME_LENGTH, interFrameLength(videoBitsPerSecond, fps, gop) * KEYFRAME_WEIGHT);
    }

    public static int audioFrameLength()
    {
        return Math.max(MIN_AUDIO_FRAME_LENGTH, (int)Math.round(AUDIO_BITS_PER_SECOND / 8.0 / AUDIO_FRAMES_PER_SECOND));
    }

    /**
     * Write a video frame body. The filler after the stamp is whatever {@code out} holds: a publisher
     * zeroes its frame buffer once and rewrites only the first {@link #MIN_VIDEO_FRAME_LENGTH} bytes.
     */
    public static void putVideoFrame(
        final MutableDirectBuffer out, final int offset, final int length, final boolean key, final int stream,
        final int seq, final long intendedNanos)
    {
        out.putByte(offset, (byte)(key ? VIDEO_KEY_AVC : VIDEO_INTER_AVC));
        out.putByte(offset + VideoTag.AVC_PACKET_TYPE_OFFSET, (byte)VideoTag.AVC_NALU);
        out.putByte(offset + 2, (byte)0);
        out.putByte(offset + 3, (byte)0);
        out.putByte(offset + 4, (byte)0);
        out.putInt(offset + NALU_LENGTH_OFFSET, length - NAL_HEADER_OFFSET, ByteOrder.BIG_ENDIAN);
        out.putByte(offset + NAL_HEADER_OFFSET, (byte)(key ? NAL_IDR_SLICE : NAL_NON_IDR_SLICE));
        putStamp(out, offset + VIDEO_STAMP_OFFSET, stream, seq, intendedNanos);
    }

    public static void putAudioFrame(
        final MutableDirectBuffer out, final int offset, final int stream, final int seq, final long intendedNanos)
    {
        out.putByte(offset, (byte)AUDIO_AAC);
        out.putByte(offset + AudioTag.AAC_PACKET_TYPE_OFFSET, (byte)AudioTag.AAC_RAW);
        putStamp(out, offset + AUDIO_STAMP_OFFSET, stream, seq, intendedNanos);
    }

    private static void putStamp(
        final MutableDirectBuffer out, final int at, final int stream, final int seq, final long intendedNanos)
    {
        out.putInt(at + STAMP_MAGIC_OFFSET, MAGIC, ByteOrder.BIG_ENDIAN);
        out.putInt(at + STAMP_STREAM_OFFSET, stream, ByteOrder.BIG_ENDIAN);
        out.putInt(at + STAMP_SEQ_OFFSET, seq, ByteOrder.BIG_ENDIAN);
        out.putLong(at + STAMP_INTENDED_OFFSET, intendedNanos, ByteOrder.BIG_ENDIAN);
    }

    /**
     * @param typeId 8 or 9.
     * @return where the stamp of a media body starts, or -1 if the body holds no loadgen stamp (a
     * sequence header, another publisher's media, or fewer bytes than the stamp needs).
     */
    public static int stampOffset(final int typeId, final DirectBuffer body, final int offset, final int length)
    {
        final int at = typeId == MessageType.VIDEO ? VIDEO_STAMP_OFFSET : AUDIO_STAMP_OFFSET;
        if (length < at + STAMP_LENGTH || body.getInt(offset + at + STAMP_MAGIC_OFFSET, ByteOrder.BIG_ENDIAN) != MAGIC)
        {
            return -1;
        }
        return offset + at;
    }

    public static int stampStream(final DirectBuffer body, final int stampAt)
    {
        return body.getInt(stampAt + STAMP_STREAM_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public static int stampSeq(final DirectBuffer body, final int stampAt)
    {
        return body.getInt(stampAt + STAMP_SEQ_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    public static long stampIntendedNanos(final DirectBuffer body, final int stampAt)
    {
        return body.getLong(stampAt + STAMP_INTENDED_OFFSET, ByteOrder.BIG_ENDIAN);
    }
}
