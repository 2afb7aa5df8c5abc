package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What both handshake sides ({@link ServerHandshake}, {@link ClientHandshake}) do with the bytes
 * they receive: wait for the peer's version byte and first packet (C0+C1 at the server, S0+S1 at
 * the client) as one piece, answer it, then take the peer's second packet (C2, S2) as it comes
 * without keeping it. Allocation-free, reusable after {@link #reset()}.
 *
 * <h2>Contract of {@link #receive}</h2>
 * Unconsumed bytes stay with the caller, who passes them again at the start of the next call (in
 * place or moved). The first piece ({@link Handshake#VERSION_AND_PACKET_LENGTH} bytes) is consumed
 * only when all of it is there, because the answer echoes it: the caller's input buffer must hold
 * that many bytes, and no copy is made here. Its version byte is checked as soon as it arrives. The
 * second packet is consumed as it arrives and never past its end, so the bytes after it (the chunk
 * stream) stay with the caller.
 * <pre>{@code
 * int consumed = handshake.receive(in, offset, length, out, outOffset);
 * outOffset += handshake.answerLength();     // the answer, once, when the first piece was whole
 * if (handshake.hasFailed()) -> close; handshake.failureReason() says why
 * if (handshake.isComplete()) -> the bytes after 'consumed' are the chunk stream
 * }</pre>
 */
public abstract class HandshakeExchange
{
    private static final int AWAIT_FIRST = 0;
    private static final int AWAIT_SECOND = 1;
    private static final int COMPLETE = 2;
    private static final int FAILED = 3;

    private final String peerVersionName;
    private int phase = AWAIT_FIRST;
    private int secondReceived;
    private int answerLength;
    private String failureReason;

    /** @param peerVersionName how errors name the peer's version byte: "C0" or "S0". */
    HandshakeExchange(final String peerVersionName)
    {
        this.peerVersionName = peerVersionName;
    }

    /**
     * Write the answer to the peer's first piece.
     *
     * @param in         holding the first piece.
     * @param firstOffset where its version byte is.
     * @return bytes written at {@code outOffset}.
     */
    abstract int writeAnswer(DirectBuffer in, int firstOffset, MutableDirectBuffer out, int outOffset);

    /** Forget the connection, for the next one. */
    public final void reset()
    {
        phase = AWAIT_FIRST;
        secondReceived = 0;
        answerLength = 0;
        failureReason = null;
    }

    /**
     * Take the peer's handshake bytes.
     *
     * @param in        the peer's unconsumed bytes.
     * @param offset    where they start.
     * @param length    how many there are.
     * @param out       where the answer goes when the first piece is complete; needs room for it
     *                  (an expandable buffer grows).
     * @param outOffset where to write it.
     * @return bytes consumed from {@code offset}.
     */
    public final int receive(
        final DirectBuffer in, final int offset, final int length, final MutableDirectBuffer out, final int outOffset)
    {
        answerLength = 0;
        int position = offset;
        final int limit = offset + length;

        if (AWAIT_FIRST == phase && position < limit)
        {
            final int version = in.getByte(position) & 0xFF;
            if (Handshake.RTMP_VERSION != version)
            {
                phase = FAILED;
                failureReason = Handshake.badVersionReason(peerVersionName, version);
                return 0;
            }
            if (limit - position < Handshake.VERSION_AND_PACKET_LENGTH)
            {
                return 0;
            }
            answerLength = writeAnswer(in, position, out, outOffset);
            position += Handshake.VERSION_AND_PACKET_LENGTH;
            phase = AWAIT_SECOND;
        }

        if (AWAIT_SECOND == phase && position < limit)
        {
            final int take = Math.min(limit - position, Handshake.PACKET_LENGTH - secondReceived);
            secondReceived += take;
            position += take;
            if (Handshake.PACKET_LENGTH == secondReceived)
            {
                phase = COMPLETE;
            }
        }

        return position - offset;
    }

    /** @return bytes the last {@link #receive} wrote to its {@code out}: 0, or the answer's length once. */
    public final int answerLength()
    {
        return answerLength;
    }

    /** @return true once the answer has been written (the peer's second packet may still be due). */
    public final boolean isAnswered()
    {
        return AWAIT_SECOND == phase || COMPLETE == phase;
    }

    /** @return true once the peer's second packet has been consumed: the chunk stream starts at the next byte. */
    public final boolean isComplete()
    {
        return COMPLETE == phase;
    }

    /** @return true if the peer's version byte was not 3; nothing more is consumed until {@link #reset()}. */
    public final boolean hasFailed()
    {
        return FAILED == phase;
    }

    /** @return why the handshake failed, or null. */
    public final String failureReason()
    {
        return failureReason;
    }
}
