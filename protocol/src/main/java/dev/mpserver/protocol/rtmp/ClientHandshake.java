package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.random.RandomGenerator;

/**
 * The client's side of the simple handshake (layouts: {@link Handshake}): C0+C1 out, S0+S1 in →
 * C2 (= S1 echoed) out, then S2 consumed. Incremental, allocation-free, reusable after {@link #reset()}.
 *
 * <pre>{@code
 * outOffset += handshake.writeRequest(out, outOffset, uptimeMillis);   // C0+C1, 1537 bytes
 * ...
 * int consumed = handshake.receive(in, offset, length, out, outOffset);
 * outOffset += handshake.answerLength();   // C2, 1536 bytes, once S0+S1 were complete
 * if (handshake.isComplete()) -> send connect; the bytes after 'consumed' are the server's chunk stream
 * }</pre>
 *
 * <p>C1 carries a zero version field, so every server answers with the simple handshake. S2 is
 * consumed as it arrives and not compared with C1: nginx-rtmp's old-style answer and SRS's are
 * C1 echoed, but librtmp only warns on a mismatch and ffmpeg does not look, so a client that
 * insisted would refuse servers the common clients accept.
 */
public final class ClientHandshake
{
    private final RandomGenerator random;
    private final HandshakeExchange exchange = new HandshakeExchange("S0", ClientHandshake::writeAnswer);

    /** @param random filler for C1; need not be secure. */
    public ClientHandshake(final RandomGenerator random)
    {
        this.random = random;
    }

    /** Forget the connection, for the next one. */
    public void reset()
    {
        exchange.reset();
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

    /**
     * Take the server's handshake bytes. Same contract as {@link ServerHandshake#receive}: S0+S1 is
     * consumed only whole (C2 echoes S1), S2 as it comes.
     *
     * @param out       where C2 goes once S0+S1 is complete; room for {@link Handshake#PACKET_LENGTH}.
     * @param outOffset where to write it.
     * @return bytes consumed from {@code offset}; never past the end of S2.
     */
    public int receive(
        final DirectBuffer in, final int offset, final int length, final MutableDirectBuffer out, final int outOffset)
    {
        return exchange.receive(in, offset, length, out, outOffset);
    }

    /** @return bytes the last {@link #receive} wrote to its {@code out}: 0, or 1536 (C2) once. */
    public int answerLength()
    {
        return exchange.answerLength();
    }

    /** @return true once C2 has been written. */
    public boolean isAnswered()
    {
        return exchange.isAnswered();
    }

    /** @return true once S2 has been consumed: the server's chunk stream starts at the next byte. */
    public boolean isComplete()
    {
        return exchange.isComplete();
    }

    /** @return true if S0 was not version 3; nothing more is consumed until {@link #reset()}. */
    public boolean hasFailed()
    {
        return exchange.hasFailed();
    }

    /** @return why the handshake failed, or null. */
    public String failureReason()
    {
        return exchange.failureReason();
    }

    private static int writeAnswer(
        final DirectBuffer in, final int s0Offset, final MutableDirectBuffer out, final int outOffset)
    {
        out.putBytes(outOffset, in, s0Offset + Handshake.VERSION_LENGTH, Handshake.PACKET_LENGTH);
        return Handshake.PACKET_LENGTH;
    }
}
