package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import dev.mpserver.protocol.rtmp.UserControl;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What a client owes the server for its protocol control, as ffmpeg pays it: an Acknowledgement
 * each time the window the server set (Window Acknowledgement Size) has come in, and a Ping
 * Response to each Ping Request. A server may drop a client that does not answer.
 */
final class ControlAnswers
{
    /** Handshake bytes in, S0+S1+S2: acknowledgements count them with the chunk stream's. */
    private static final int HANDSHAKE_IN = Handshake.VERSION_AND_PACKET_LENGTH + Handshake.PACKET_LENGTH;

    private final ControlMessageWriter control;
    private long peerWindow;
    private long lastAcknowledged;

    ControlAnswers(final ControlMessageWriter control)
    {
        this.control = control;
    }

    /** A Window Acknowledgement Size from the server: acknowledge every that many bytes from now on. */
    void onWindowAckSize(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length >= ProtocolControl.WINDOW_ACK_SIZE_LENGTH)
        {
            peerWindow = ProtocolControl.windowSize(buffer, offset);
        }
    }

    /**
     * @param chunkBytesReceived the chunk stream's bytes in so far
     * @return bytes of an Acknowledgement written at {@code out[0]}, or 0 when none is due
     */
    int acknowledgementIfDue(final MutableDirectBuffer out, final long chunkBytesReceived)
    {
        final long received = HANDSHAKE_IN + chunkBytesReceived;
        if (peerWindow > 0 && received - lastAcknowledged >= peerWindow)
        {
            lastAcknowledged = received;
            return control.acknowledgement(out, 0, received);
        }
        return 0;
    }

    /** @return bytes of a Ping Response written at {@code out[0]}, or 0 for any other user control event. */
    int answerUserControl(final MutableDirectBuffer out, final DirectBuffer buffer, final int offset, final int length)
    {
        if (UserControl.isComplete(buffer, offset, length) && UserControl.eventType(buffer, offset) == UserControl.PING_REQUEST)
        {
            return control.userControl(out, 0, UserControl.PING_RESPONSE, UserControl.eventData(buffer, offset));
        }
        return 0;
    }
}
