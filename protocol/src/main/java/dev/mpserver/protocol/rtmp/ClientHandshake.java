package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.random.RandomGenerator;

/**
 * The client's side of the simple handshake (layouts: {@link Handshake}): C0+C1 out
 * ({@link #writeRequest}), S0+S1 in → C2 (= S1 echoed, {@link Handshake#PACKET_LENGTH} bytes) out,
 * then S2 consumed. How to drive it: {@link HandshakeExchange}.
 *
 * <p>C1 carries a zero version field, so every server answers with the simple handshake. S2 is not
 * compared with C1: nginx-rtmp's old-style answer and SRS's are C1 echoed, but librtmp only warns
 * on a mismatch and ffmpeg does not look, so a client that insisted would refuse servers the common
 * clients accept.
 */
public final class ClientHandshake extends HandshakeExchange
{
    private final RandomGenerator random;

    /** @param random filler for C1; need not be secure. */
    public ClientHandshake(final RandomGenerator random)
    {
        super("S0");
        this.random = random;
    }

    /**
     * Write C0+C1, the first thing a client sends.
     *
     * @param out    needs room for {@link Handshake#VERSION_AND_PACKET_LENGTH} bytes at {@code offset}.
     * @param offset where to write.
     * @param time   C1's time field (the client's epoch, e.g. milliseconds since start; any value).
     * @return bytes written: 1537.
     */
    public int writeRequest(final MutableDirectBuffer out, final int offset, final int time)
    {
        out.putByte(offset, (byte)Handshake.RTMP_VERSION);
        return Handshake.putPacket(out, offset + Handshake.VERSION_LENGTH, time, random) - offset;
    }

    @Override
    int writeAnswer(final DirectBuffer in, final int s0Offset, final MutableDirectBuffer out, final int outOffset)
    {
        out.putBytes(outOffset, in, s0Offset + Handshake.VERSION_LENGTH, Handshake.PACKET_LENGTH);
        return Handshake.PACKET_LENGTH;
    }
}
