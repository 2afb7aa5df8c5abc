package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.random.RandomGenerator;

/**
 * The server's side of the simple handshake (layouts and the reasons it suffices: {@link Handshake}):
 * C0+C1 in → S0+S1+S2 out, then C2 consumed. Incremental, allocation-free, reusable after
 * {@link #reset()}.
 *
 * <pre>{@code
 * int consumed = handshake.receive(in, offset, length, out, outOffset);
 * outOffset += handshake.answerLength();   // 3073 bytes (S0 S1 S2) once, when C0+C1 were complete
 * if (handshake.hasFailed()) -> close; handshake.failureReason() says why
 * if (handshake.isComplete()) -> the bytes after 'consumed' belong to the chunk stream
 * }</pre>
 *
 * <p>Contract of {@link #receive}: unconsumed bytes stay with the caller, who passes them again at
 * the start of the next call (in place or moved). C0+C1 is consumed only when all of it is there
 * (S2 echoes C1, so the caller's input buffer must hold {@link Handshake#VERSION_AND_PACKET_LENGTH}
 * bytes); a C0 other than 3 fails at once, without waiting for C1. C2 is consumed as it arrives and
 * not checked (as nginx-rtmp and SRS do): with a simple handshake it carries nothing to verify.
 *
 * <p>S1 is time 0, version 0 and 1528 bytes from the given generator. Nothing here depends on which
 * process answers except that filler, and no client checks it (it comes back in C2, which is not
 * checked either), so a worker that replays a handed-off client's bytes may answer with its own.
 */
public final class ServerHandshake
{
    /** S1's time field: the handshake's epoch, 0 as FMS and nginx-rtmp send it. */
    public static final int S1_TIME = 0;

    private final RandomGenerator random;
    private final HandshakeExchange exchange = new HandshakeExchange("C0", this::writeAnswer);

    /**
     * @param random filler for S1; need not be secure (nothing is authenticated), must not be shared
     *               across threads unless it is thread-safe.
     */
    public ServerHandshake(final RandomGenerator random)
    {
        this.random = random;
    }

    /** Forget the connection, for the next one. */
    public void reset()
    {
        exchange.reset();
    }

    /**
     * Take the client's handshake bytes.
     *
     * @param in        the client's unconsumed bytes.
     * @param offset    where they start.
     * @param length    how many there are.
     * @param out       where S0+S1+S2 go when C0+C1 is complete; needs room for
     *                  {@link Handshake#SERVER_RESPONSE_LENGTH} bytes at {@code outOffset} (an
     *                  expandable buffer grows).
     * @param outOffset where to write them.
     * @return bytes consumed from {@code offset}; never past the end of C2.
     */
    public int receive(
        final DirectBuffer in, final int offset, final int length, final MutableDirectBuffer out, final int outOffset)
    {
        return exchange.receive(in, offset, length, out, outOffset);
    }

    /** @return bytes the last {@link #receive} wrote to its {@code out}: 0, or 3073 (S0+S1+S2) once. */
    public int answerLength()
    {
        return exchange.answerLength();
    }

    /** @return true once S0+S1+S2 have been written (the client's C2 may still be due). */
    public boolean isAnswered()
    {
        return exchange.isAnswered();
    }

    /** @return true once C2 has been consumed: the chunk stream starts at the next byte. */
    public boolean isComplete()
    {
        return exchange.isComplete();
    }

    /** @return true if C0 was not version 3; nothing more is consumed until {@link #reset()}. */
    public boolean hasFailed()
    {
        return exchange.hasFailed();
    }

    /** @return why the handshake failed, or null. */
    public String failureReason()
    {
        return exchange.failureReason();
    }

    private int writeAnswer(
        final DirectBuffer in, final int c0Offset, final MutableDirectBuffer out, final int outOffset)
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
