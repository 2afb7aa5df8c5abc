package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What both handshake sides do with the bytes they receive: wait for the peer's version byte and
 * first packet (C0+C1 at the server, S0+S1 at the client) as one piece, answer it, then take the
 * peer's second packet (C2, S2) as it comes without keeping it.
 *
 * <p>The first piece is consumed only when all {@link Handshake#VERSION_AND_PACKET_LENGTH} bytes are
 * there, because the answer echoes them: the caller keeps unconsumed bytes (as with every parser in
 * this module), so no copy of them is made here. The version byte is checked as soon as it arrives.
 */
final class HandshakeExchange
{
    /** Writes the answer to the peer's first piece, which starts at {@code firstOffset}. */
    @FunctionalInterface
    interface Answer
    {
        /** @return bytes written at {@code outOffset}. */
        int write(DirectBuffer in, int firstOffset, MutableDirectBuffer out, int outOffset);
    }

    private static final int AWAIT_FIRST = 0;
    private static final int AWAIT_SECOND = 1;
    private static final int COMPLETE = 2;
    private static final int FAILED = 3;

    private final String peer;
    private final Answer answer;
    private int phase = AWAIT_FIRST;
    private int secondReceived;
    private int answerLength;
    private String failureReason;

    HandshakeExchange(final String peer, final Answer answer)
    {
        this.peer = peer;
        this.answer = answer;
    }

    void reset()
    {
        phase = AWAIT_FIRST;
        secondReceived = 0;
        answerLength = 0;
        failureReason = null;
    }

    int receive(
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
                failureReason = Handshake.badVersionReason(peer, version);
                return 0;
            }
            if (limit - position < Handshake.VERSION_AND_PACKET_LENGTH)
            {
                return 0;
            }
            answerLength = answer.write(in, position, out, outOffset);
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

    int answerLength()
    {
        return answerLength;
    }

    boolean isAnswered()
    {
        return AWAIT_SECOND == phase || COMPLETE == phase;
    }

    boolean isComplete()
    {
        return COMPLETE == phase;
    }

    boolean hasFailed()
    {
        return FAILED == phase;
    }

    String failureReason()
    {
        return failureReason;
    }
}
