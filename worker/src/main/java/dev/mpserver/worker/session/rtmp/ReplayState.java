package dev.mpserver.worker.session.rtmp;

import java.nio.ByteOrder;

import dev.mpserver.protocol.channel.ChannelFrame;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * An RTMP session's hand-off state, kept so that another worker can take the client over exactly
 * where it stands: every byte the client sent after the handshake, and how many bytes this worker
 * has already delivered to it after the handshake. The worker that takes the client over feeds
 * those bytes through its own session (the same code, so it reaches the same state and writes the
 * same answers) and drops the first {@code server bytes sent} bytes of what it writes: the client
 * already has them. Nothing else travels, so nothing needs a serializer; it only requires that
 * what a worker writes before a hand-off does not depend on which worker writes it (see
 * {@link RtmpCommands}: fixed control sequence, no pid, no clock, no acknowledgement before).
 *
 * <p>The state as it travels, after the hand-off payload's protocol id byte (little-endian, like
 * the channel frame it rides in):
 * <pre>
 *   0        1                                 5                                 9
 *   +--------+---------------------------------+---------------------------------+----------------------------+
 *   | format |    server bytes sent: u32       |    client bytes: u32 (n)        | client bytes: n bytes ...  |
 *   |  = 1   | (after S0+S1+S2, already sent)  |                                 | (everything after C2)      |
 *   +--------+---------------------------------+---------------------------------+----------------------------+
 *   ^ FORMAT_OFFSET                            ^ CLIENT_BYTES_LENGTH_OFFSET      ^ CLIENT_BYTES_OFFSET
 *            ^ SERVER_BYTES_SENT_OFFSET
 * </pre>
 * Bounded by the channel frame's payload ({@value ChannelFrame#MAX_PAYLOAD_LENGTH} bytes with the id
 * byte): a client that sends more before its key is known is refused with an RTMP error. Recording
 * stops once the session is where it will stay (it published or plays here); a client typically
 * sends 300-600 bytes before that.
 */
final class ReplayState
{
    static final int FORMAT = 1;
    static final int FORMAT_OFFSET = 0;
    static final int SERVER_BYTES_SENT_OFFSET = FORMAT_OFFSET + Byte.BYTES;
    static final int CLIENT_BYTES_LENGTH_OFFSET = SERVER_BYTES_SENT_OFFSET + Integer.BYTES;
    static final int CLIENT_BYTES_OFFSET = CLIENT_BYTES_LENGTH_OFFSET + Integer.BYTES;
    /** What fits after the hand-off payload's protocol id byte. */
    static final int MAX_STATE_LENGTH = ChannelFrame.MAX_PAYLOAD_LENGTH - Byte.BYTES;
    static final int MAX_CLIENT_BYTES = MAX_STATE_LENGTH - CLIENT_BYTES_OFFSET;
    /** export's answer when the state cannot travel. */
    static final int CANNOT_EXPORT = -1;

    private static final int INITIAL_RECORD = 1024;
    /** A record grown past this is dropped when recording stops, so that idle slots keep little. */
    private static final int KEPT_RECORD = 4096;

    /** A handed-over session's bytes are being replayed (one at a time: the loop has one thread). */
    private boolean replaying;
    private final boolean[] recording;
    private final ExpandableArrayBuffer[] record;
    private final int[] recorded;
    /** Bytes written to the client after the handshake (sent or still pending). */
    private final long[] written;

    ReplayState(final int capacity)
    {
        recording = new boolean[capacity];
        record = new ExpandableArrayBuffer[capacity];
        recorded = new int[capacity];
        written = new long[capacity];
    }

    /** While true, the session code runs on bytes another worker already took in: it must not record, count or move them again. */
    boolean isReplaying()
    {
        return replaying;
    }

    void replaying(final boolean replayingNow)
    {
        replaying = replayingNow;
    }

    /** The handshake is done (or the client was handed over): record from here on. */
    void start(final int slot)
    {
        recording[slot] = true;
        recorded[slot] = 0;
        written[slot] = 0;
        if (null == record[slot])
        {
            record[slot] = new ExpandableArrayBuffer(INITIAL_RECORD);
        }
    }

    /** The session stays here for good: nothing more to record. */
    void stop(final int slot)
    {
        recording[slot] = false;
        recorded[slot] = 0;
        if (null != record[slot] && record[slot].capacity() > KEPT_RECORD)
        {
            record[slot] = null;
        }
    }

    boolean isRecording(final int slot)
    {
        return recording[slot];
    }

    /** @return false if the record would go past what a hand-off can carry (nothing is added then) */
    boolean append(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        if (recorded[slot] + length > MAX_CLIENT_BYTES)
        {
            return false;
        }
        record[slot].putBytes(recorded[slot], buffer, offset, length);
        recorded[slot] += length;
        return true;
    }

    void wrote(final int slot, final int length)
    {
        written[slot] += length;
    }

    /**
     * Writes the state (layout above): the record, then {@code tail} (bytes the client sent that the
     * session has not consumed yet: they are part of its stream too).
     *
     * @param pendingOutput bytes written to the client that are not sent yet: they are not counted
     *                      as sent, the next worker writes them again
     * @return bytes written, or {@link #CANNOT_EXPORT} if they do not fit {@code maxLength}, or if
     *     some of the handshake's answer is still unsent (its random bytes cannot be written again)
     */
    int export(
        final int slot, final int pendingOutput, final DirectBuffer tail, final int tailOffset, final int tailLength,
        final MutableDirectBuffer into, final int offset, final int maxLength)
    {
        final int clientBytes = recorded[slot] + tailLength;
        final long sent = written[slot] - pendingOutput;
        if (!recording[slot] || sent < 0 || CLIENT_BYTES_OFFSET + clientBytes > Math.min(maxLength, MAX_STATE_LENGTH))
        {
            return CANNOT_EXPORT;
        }
        into.putByte(offset + FORMAT_OFFSET, (byte)FORMAT);
        into.putInt(offset + SERVER_BYTES_SENT_OFFSET, (int)sent, ByteOrder.LITTLE_ENDIAN);
        into.putInt(offset + CLIENT_BYTES_LENGTH_OFFSET, clientBytes, ByteOrder.LITTLE_ENDIAN);
        into.putBytes(offset + CLIENT_BYTES_OFFSET, record[slot], 0, recorded[slot]);
        if (tailLength > 0)
        {
            into.putBytes(offset + CLIENT_BYTES_OFFSET + recorded[slot], tail, tailOffset, tailLength);
        }
        return CLIENT_BYTES_OFFSET + clientBytes;
    }

    /** @return true if {@code [offset, offset + length)} is a state {@link #export} could have written */
    static boolean isValid(final DirectBuffer state, final int offset, final int length)
    {
        if (length < CLIENT_BYTES_OFFSET || length > MAX_STATE_LENGTH || state.getByte(offset + FORMAT_OFFSET) != FORMAT)
        {
            return false;
        }
        return serverBytesSent(state, offset) >= 0 && clientBytesLength(state, offset) == length - CLIENT_BYTES_OFFSET;
    }

    static int serverBytesSent(final DirectBuffer state, final int offset)
    {
        return state.getInt(offset + SERVER_BYTES_SENT_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static int clientBytesLength(final DirectBuffer state, final int offset)
    {
        return state.getInt(offset + CLIENT_BYTES_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }
}
