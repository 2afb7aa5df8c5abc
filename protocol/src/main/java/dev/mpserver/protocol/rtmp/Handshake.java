package dev.mpserver.protocol.rtmp;

import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * The RTMP handshake's packets: layouts, offsets and the one writer both sides share.
 *
 * <pre>
 * client                                   server
 *   C0 (1 byte: version 3)   ──────────▶
 *   C1 (1536 bytes)          ──────────▶
 *                            ◀──────────   S0 (1 byte: version 3)
 *                            ◀──────────   S1 (1536 bytes)
 *                            ◀──────────   S2 (1536 bytes: C1 echoed)
 *   C2 (1536 bytes: S1 echoed) ────────▶
 *   chunk stream ...                       chunk stream ...
 * </pre>
 *
 * <p>C0/S0, {@link #VERSION_LENGTH} byte:
 * <pre>
 *   0       1
 *   +-------+
 *   |version|   3 = plain RTMP; 6, 8, 9 = RTMPE (encrypted, not supported here)
 *   +-------+
 * </pre>
 *
 * <p>C1/S1 and C2/S2, {@link #PACKET_LENGTH} bytes each:
 * <pre>
 *   0               4               8                                      1536
 *   +---------------+---------------+---------------------------------------+
 *   |  time: u32 BE |  zero/version |        random: 1528 bytes             |
 *   +---------------+---------------+---------------------------------------+
 *   ^ TIME_OFFSET   ^ VERSION_FIELD_OFFSET
 *                                   ^ RANDOM_OFFSET
 * </pre>
 *
 * <h2>Why the simple handshake is enough</h2>
 * A "complex" (digest, Flash Player 9) handshake puts an HMAC-SHA256 digest into C1/S1 at an offset
 * derived from its own bytes, and the version field is then non-zero. Read in the clients' sources:
 * <ul>
 *   <li>FFmpeg ({@code libavformat/rtmpproto.c}, {@code rtmp_handshake}) always sends a digest C1
 *       (version {@code 09 00 7c 02}) but validates the server's digest only when it plays and S1's
 *       first version byte is 3 or more ({@code rt->is_input && serverdata[5] >= 3}); otherwise it
 *       answers C2 = S1 echoed and does not look at S2.</li>
 *   <li>librtmp, which OBS embeds ({@code plugins/obs-outputs/librtmp/handshake.h}), uses the digest
 *       handshake only for RTMPE or SWF verification ({@code encrypted || r->Link.SWFSize}); for
 *       plain {@code rtmp://} it sends a zero version, echoes S1 as C2 and only logs a warning when S2
 *       is not C1 echoed. VLC plays {@code rtmp://} through libavformat, so the FFmpeg rule applies.</li>
 *   <li>nginx-rtmp ({@code ngx_rtmp_handshake.c}) and SRS as clients (relays) accept a zero-version
 *       S1 ("old-style" handshake / SRS's simple fallback).</li>
 * </ul>
 * Only a Flash Player needed the server digest (to play H.264/AAC), and none is left. So the server
 * answers S1 = time 0, version 0, random filler; S2 = C1 echoed; it does not check C2. The client
 * side sends C1 with version 0 and C2 = S1 echoed, which nginx-rtmp ("old-style"), SRS (simple) and
 * mpserver answer. The ffmpeg interop tests publish and play through exactly this.
 */
public final class Handshake
{
    /** The only version byte accepted in C0/S0: unencrypted RTMP. */
    public static final int RTMP_VERSION = 3;

    public static final int VERSION_LENGTH = 1;

    /** C1, S1, C2 and S2 each. */
    public static final int PACKET_LENGTH = 1536;

    public static final int TIME_OFFSET = 0;
    public static final int VERSION_FIELD_OFFSET = TIME_OFFSET + Integer.BYTES;
    public static final int RANDOM_OFFSET = VERSION_FIELD_OFFSET + Integer.BYTES;
    public static final int RANDOM_LENGTH = PACKET_LENGTH - RANDOM_OFFSET;

    /** C0 + C1, or S0 + S1. */
    public static final int VERSION_AND_PACKET_LENGTH = VERSION_LENGTH + PACKET_LENGTH;

    /** What the server sends: S0 + S1 + S2 (3073 bytes). */
    public static final int SERVER_RESPONSE_LENGTH = VERSION_LENGTH + 2 * PACKET_LENGTH;

    private Handshake()
    {
    }

    /**
     * Write a C1 or S1: the given time, a zero version field (the simple handshake) and random filler.
     *
     * @return the index after the packet.
     */
    static int putPacket(
        final MutableDirectBuffer buffer, final int index, final int time, final RandomGenerator random)
    {
        buffer.putInt(index + TIME_OFFSET, time, ByteOrder.BIG_ENDIAN);
        buffer.putInt(index + VERSION_FIELD_OFFSET, 0);
        // 1528 is a multiple of 8: fill with longs, no array.
        for (int i = RANDOM_OFFSET; i < PACKET_LENGTH; i += Long.BYTES)
        {
            buffer.putLong(index + i, random.nextLong());
        }
        return index + PACKET_LENGTH;
    }

    /** Reason text for a C0/S0 other than 3, built without allocating for the common cases. */
    static String badVersionReason(final String side, final int version)
    {
        if (version == 6 || version == 8 || version == 9)
        {
            return side + " version " + version + " asks for encrypted RTMP (RTMPE), which is not supported";
        }
        return side + " version " + version + " is not RTMP version 3";
    }
}
