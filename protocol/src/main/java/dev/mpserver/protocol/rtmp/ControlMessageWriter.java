package dev.mpserver.protocol.rtmp;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes whole protocol control and user control messages (bodies: {@link ProtocolControl},
 * {@link UserControl}) as chunks on chunk stream 2, message stream 0, timestamp 0, through a
 * connection's {@link ChunkEncoder}. Allocation-free: bodies go through a small scratch buffer.
 */
public final class ControlMessageWriter
{
    private static final int CSID = ChunkHeader.PROTOCOL_CONTROL_CSID;
    private static final int STREAM_ID = 0;
    private static final int TIMESTAMP = 0;

    private final ChunkEncoder encoder;
    private final UnsafeBuffer body = new UnsafeBuffer(new byte[Math.max(ProtocolControl.MAX_LENGTH, UserControl.MAX_LENGTH)]);

    /** @param encoder the connection's outgoing encoder; Set Chunk Size changes its chunk size. */
    public ControlMessageWriter(final ChunkEncoder encoder)
    {
        this.encoder = encoder;
    }

    /**
     * Tell the peer the new outgoing chunk size and switch the encoder to it: the message itself
     * goes out at the old size, everything after it at the new one.
     *
     * @return bytes written.
     */
    public int setChunkSize(final MutableDirectBuffer out, final int offset, final int chunkSize)
    {
        if (chunkSize < 1)
        {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not positive");
        }
        final int written = write(out, offset, MessageType.SET_CHUNK_SIZE, ProtocolControl.putSetChunkSize(body, 0, chunkSize));
        encoder.chunkSize(chunkSize);
        return written;
    }

    /** @return bytes written. */
    public int abort(final MutableDirectBuffer out, final int offset, final int csid)
    {
        return write(out, offset, MessageType.ABORT, ProtocolControl.putAbort(body, 0, csid));
    }

    /** @param bytesReceived bytes received so far, handshake included; sent modulo 2^32. */
    public int acknowledgement(final MutableDirectBuffer out, final int offset, final long bytesReceived)
    {
        return write(out, offset, MessageType.ACKNOWLEDGEMENT, ProtocolControl.putAcknowledgement(body, 0, bytesReceived));
    }

    /** @return bytes written. */
    public int windowAckSize(final MutableDirectBuffer out, final int offset, final int windowSize)
    {
        return write(out, offset, MessageType.WINDOW_ACK_SIZE, ProtocolControl.putWindowAckSize(body, 0, windowSize));
    }

    /** @param limitType {@link ProtocolControl#LIMIT_DYNAMIC} as ffmpeg, nginx-rtmp and SRS send it. */
    public int setPeerBandwidth(final MutableDirectBuffer out, final int offset, final int windowSize, final int limitType)
    {
        return write(
            out, offset, MessageType.SET_PEER_BANDWIDTH, ProtocolControl.putSetPeerBandwidth(body, 0, windowSize, limitType));
    }

    /**
     * A user control event with one u32 of data ({@link UserControl#STREAM_BEGIN} with the stream id,
     * {@link UserControl#PING_RESPONSE} with the ping's timestamp, ...).
     *
     * @return bytes written.
     */
    public int userControl(final MutableDirectBuffer out, final int offset, final int eventType, final int data)
    {
        return write(out, offset, MessageType.USER_CONTROL, UserControl.putEvent(body, 0, eventType, data));
    }

    /** The client's buffer length for a stream (ffmpeg sends 3000 ms after play). */
    public int setBufferLength(final MutableDirectBuffer out, final int offset, final int streamId, final int bufferMillis)
    {
        return write(out, offset, MessageType.USER_CONTROL, UserControl.putSetBufferLength(body, 0, streamId, bufferMillis));
    }

    private int write(final MutableDirectBuffer out, final int offset, final int typeId, final int length)
    {
        return encoder.encode(out, offset, CSID, TIMESTAMP, typeId, STREAM_ID, body, 0, length);
    }
}
