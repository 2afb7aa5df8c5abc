package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.random.RandomGenerator;

/**
 * The server's side of the simple handshake (layouts and why it suffices: {@link Handshake}): C0+C1
 * in → S0+S1+S2 out ({@link Handshake#SERVER_RESPONSE_LENGTH} bytes), then C2 consumed. How to
 * drive it: {@link HandshakeExchange}.
 *
 * <p>A C0 other than 3 fails at once, without waiting for C1. C2 is not checked (nginx-rtmp and SRS
 * do not either): with a simple handshake it carries nothing to verify.
 *
 * <p>S1 is time 0, version 0 and 1528 bytes from the given generator; S2 is C1 echoed. Nothing here
 * depends on which process answers except that filler, and no client checks it (it comes back in
 * C2, which is not checked either), so a worker that replays a handed-off client's bytes may answer
 * with its own.
 */
public final class ServerHandshake extends HandshakeExchange
{
    /** S1's time field: the handshake's epoch, 0 as FMS and nginx-rtmp send it. */
    public static final int S1_TIME = 0;

    private final RandomGenerator random;

    /**
     * @param random filler for S1; need not be secure (nothing is authenticated), must not be shared
     *               across threads unless it is thread-safe.
     */
    public ServerHandshake(final RandomGenerator random)
    {
        super("C0");
        this.random = random;
    }

    @Override
    int writeAnswer(final DirectBuffer in, final int c0Offset, final MutableDirectBuffer out, final int outOffset)
    {
        int index = outOffset;
        out.putByte(index, (byte)Handshake.RTMP_VERSION);
        index += Handshake.VERSION_LENGTH;
        index = Handshake.putPacket(out, index, S1_TIME, random);
        out.putBytes(index, in, c0Offset + Handshake.VERSION_LENGTH, Handshake.PACKET_LENGTH);
        index += Handshake.PACKET_LENGTH;
        return index - outOffset;
    }
}
