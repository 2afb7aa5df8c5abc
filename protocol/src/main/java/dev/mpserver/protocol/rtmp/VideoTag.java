package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Facts about a video message body (type 9; an FLV video tag body), read in place, allocation-free.
 *
 * <p>Legacy FLV (FLV spec v10, E.4.3):
 * <pre>
 *   0               1               2                               5
 *   +-------+-------+---------------+-------------------------------+
 *   | frame | codec | AVC packet    | composition time: s24 BE      |   AVC (codec 7), HEVC (12, non-standard)
 *   | type  |  id   | type          |                               |
 *   +-------+-------+---------------+-------------------------------+
 *   bits 7-4: frame type (1 key, 2 inter, 3 disposable, 4 generated key, 5 command)
 *   bits 3-0: codec id (7 AVC); packet type 0 = sequence header (AVCDecoderConfigurationRecord), 1 = NALUs
 * </pre>
 *
 * <p>Enhanced RTMP (veovera enhanced-rtmp v1/v2; HEVC, AV1, VP9 from OBS 29+, ffmpeg 6.1+):
 * <pre>
 *   0               1                               5
 *   +-+-----+-------+-------------------------------+
 *   |1|frame|packet |   FourCC: 'hvc1' 'av01' 'vp09' 'avc1' ...
 *   | |type |type   |
 *   +-+-----+-------+-------------------------------+
 *   bit 7: IsExHeader; bits 6-4: frame type; bits 3-0: packet type
 *   packet type 0 = SequenceStart, 1 CodedFrames, 2 SequenceEnd, 3 CodedFramesX, 4 Metadata,
 *   5 MPEG2TSSequenceStart, 6 Multitrack, 7 ModEx
 * </pre>
 * A keyframe test must read the frame type from the right bits: in an enhanced header the high
 * nibble also holds the ExHeader bit (0x90 is an enhanced keyframe, not frame type 9).
 */
public final class VideoTag
{
    public static final int HEADER_BYTE_OFFSET = 0;
    public static final int AVC_PACKET_TYPE_OFFSET = 1;
    public static final int FOURCC_OFFSET = 1;

    public static final int EX_HEADER_BIT = 0x80;
    public static final int LEGACY_FRAME_TYPE_SHIFT = 4;
    public static final int ENHANCED_FRAME_TYPE_SHIFT = 4;
    public static final int ENHANCED_FRAME_TYPE_MASK = 0x07;
    public static final int LOW_NIBBLE = 0x0F;

    public static final int FRAME_TYPE_KEY = 1;
    public static final int FRAME_TYPE_INTER = 2;
    public static final int FRAME_TYPE_DISPOSABLE = 3;
    public static final int FRAME_TYPE_GENERATED_KEY = 4;
    public static final int FRAME_TYPE_COMMAND = 5;

    public static final int CODEC_AVC = 7;
    /** HEVC in a legacy header: not in the FLV spec, but sent by Chinese CDNs' encoders and read by SRS. */
    public static final int CODEC_HEVC_LEGACY = 12;

    public static final int AVC_SEQUENCE_HEADER = 0;
    public static final int AVC_NALU = 1;
    public static final int AVC_END_OF_SEQUENCE = 2;

    public static final int PACKET_TYPE_SEQUENCE_START = 0;
    public static final int PACKET_TYPE_CODED_FRAMES = 1;
    public static final int PACKET_TYPE_SEQUENCE_END = 2;
    public static final int PACKET_TYPE_CODED_FRAMES_X = 3;
    public static final int PACKET_TYPE_METADATA = 4;
    public static final int PACKET_TYPE_MPEG2TS_SEQUENCE_START = 5;
    public static final int PACKET_TYPE_MULTITRACK = 6;
    public static final int PACKET_TYPE_MOD_EX = 7;

    public static final int FOURCC_AVC1 = fourCc("avc1");
    public static final int FOURCC_HVC1 = fourCc("hvc1");
    public static final int FOURCC_AV01 = fourCc("av01");
    public static final int FOURCC_VP09 = fourCc("vp09");

    /** Not a codec id: the body is enhanced and names its codec by FourCC. */
    public static final int NO_CODEC_ID = -1;

    private VideoTag()
    {
    }

    /** @return true if the body has an enhanced RTMP header (ExHeader bit set). */
    public static boolean isEnhanced(final DirectBuffer buffer, final int offset, final int length)
    {
        return length > 0 && (buffer.getByte(offset + HEADER_BYTE_OFFSET) & EX_HEADER_BIT) != 0;
    }

    /** @return the frame type (1 key, 2 inter, ...) in either header form; 0 for an empty body. */
    public static int frameType(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            return 0;
        }
        final int header = buffer.getByte(offset + HEADER_BYTE_OFFSET) & 0xFF;
        if ((header & EX_HEADER_BIT) != 0)
        {
            return (header >>> ENHANCED_FRAME_TYPE_SHIFT) & ENHANCED_FRAME_TYPE_MASK;
        }
        return header >>> LEGACY_FRAME_TYPE_SHIFT;
    }

    /**
     * @return true for a keyframe (frame type 1) in either header form. Sequence headers are
     * keyframes too; a relay asks {@link #isSequenceHeader} first.
     */
    public static boolean isKeyFrame(final DirectBuffer buffer, final int offset, final int length)
    {
        return frameType(buffer, offset, length) == FRAME_TYPE_KEY;
    }

    /**
     * @return true for a decoder configuration a player needs before any frame: legacy AVC or HEVC
     * with packet type 0, or an enhanced PacketTypeSequenceStart (any FourCC: hvc1, av01, vp09, avc1).
     */
    public static boolean isSequenceHeader(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            return false;
        }
        final int header = buffer.getByte(offset + HEADER_BYTE_OFFSET) & 0xFF;
        if ((header & EX_HEADER_BIT) != 0)
        {
            return (header & LOW_NIBBLE) == PACKET_TYPE_SEQUENCE_START;
        }
        final int codec = header & LOW_NIBBLE;
        return (codec == CODEC_AVC || codec == CODEC_HEVC_LEGACY) && length > AVC_PACKET_TYPE_OFFSET &&
            buffer.getByte(offset + AVC_PACKET_TYPE_OFFSET) == AVC_SEQUENCE_HEADER;
    }

    /**
     * @return the packet type: legacy AVC/HEVC packet type (0 sequence header, 1 NALUs, 2 end of
     * sequence, which ffmpeg's FLV muxer sends last) or the enhanced packet type; -1 when absent.
     */
    public static int packetType(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            return -1;
        }
        final int header = buffer.getByte(offset + HEADER_BYTE_OFFSET) & 0xFF;
        if ((header & EX_HEADER_BIT) != 0)
        {
            return header & LOW_NIBBLE;
        }
        return length > AVC_PACKET_TYPE_OFFSET ? buffer.getByte(offset + AVC_PACKET_TYPE_OFFSET) & 0xFF : -1;
    }

    /** @return the legacy codec id (7 AVC ...), or {@link #NO_CODEC_ID} for an enhanced or empty body. */
    public static int codecId(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || isEnhanced(buffer, offset, length))
        {
            return NO_CODEC_ID;
        }
        return buffer.getByte(offset + HEADER_BYTE_OFFSET) & LOW_NIBBLE;
    }

    /** @return the FourCC of an enhanced body as a big-endian int ({@link #FOURCC_HVC1} ...), or 0. */
    public static int fourCc(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < FOURCC_OFFSET + Integer.BYTES || !isEnhanced(buffer, offset, length))
        {
            return 0;
        }
        return buffer.getInt(offset + FOURCC_OFFSET, ByteOrder.BIG_ENDIAN);
    }

    /** @return the four ASCII characters as a big-endian int, as they appear on the wire. */
    public static int fourCc(final String code)
    {
        if (code.length() != Integer.BYTES)
        {
            throw new IllegalArgumentException("a FourCC has four characters: '" + code + "'");
        }
        return (code.charAt(0) << 24) | (code.charAt(1) << 16) | (code.charAt(2) << 8) | code.charAt(3);
    }
}
