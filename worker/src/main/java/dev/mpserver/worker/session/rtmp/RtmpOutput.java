package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.rtmp.Amf0Writer;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.worker.client.ClientIo;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Everything an RTMP session writes to its client goes through here, into the client's output
 * buffer: its own control messages and commands, chunked by its compressing encoder on chunk
 * streams 2 and {@value #COMMAND_CSID}, and media chunked once for all players (shared bytes, on
 * the relay's chunk streams). Every byte written after the handshake is counted for the hand-off
 * state ({@link ReplayState#wrote}).
 *
 * <p>Commands are rare: their bodies go through one reused scratch buffer and are copied in, so
 * the exact length is known before the client's output is reserved.
 */
final class RtmpOutput
{
    /** Where a session's commands and its own data messages go (ffmpeg and nginx-rtmp use 3). */
    static final int COMMAND_CSID = 3;
    /** NetConnection messages: connect's answers, _error, ... */
    static final int CONNECTION_STREAM_ID = 0;

    private static final int INITIAL_SCRATCH = 4096;

    private final ClientIo io;
    private final RtmpSlots slots;
    private final ReplayState replay;
    private final Amf0Writer amf = new Amf0Writer();
    private final ExpandableDirectByteBuffer body = new ExpandableDirectByteBuffer(INITIAL_SCRATCH);
    private final ExpandableDirectByteBuffer chunks = new ExpandableDirectByteBuffer(INITIAL_SCRATCH);

    RtmpOutput(final ClientIo io, final RtmpSlots slots, final ReplayState replay)
    {
        this.io = io;
        this.slots = slots;
        this.replay = replay;
    }

    /** A fresh AMF0 body to write a command or data message into, then {@link #command} or {@link #data}. */
    Amf0Writer body()
    {
        return amf.wrap(body, 0);
    }

    /** The body just written, as a command (type 20) on {@code messageStreamId}. */
    void command(final int slot, final int messageStreamId)
    {
        message(slot, MessageType.AMF0_COMMAND, messageStreamId);
    }

    /** The body just written, as a data message (type 18) on {@code messageStreamId}. */
    void data(final int slot, final int messageStreamId)
    {
        message(slot, MessageType.AMF0_DATA, messageStreamId);
    }

    private void message(final int slot, final int typeId, final int messageStreamId)
    {
        final int length = slots.encoder(slot).encode(chunks, 0, COMMAND_CSID, 0, typeId, messageStreamId, body, 0, amf.length());
        append(slot, chunks, length);
    }

    void windowAckSize(final int slot, final int windowSize)
    {
        append(slot, chunks, slots.control(slot).windowAckSize(chunks, 0, windowSize));
    }

    void setPeerBandwidth(final int slot, final int windowSize, final int limitType)
    {
        append(slot, chunks, slots.control(slot).setPeerBandwidth(chunks, 0, windowSize, limitType));
    }

    /** Announces the chunk size and switches the client's encoder to it. */
    void setChunkSize(final int slot, final int chunkSize)
    {
        append(slot, chunks, slots.control(slot).setChunkSize(chunks, 0, chunkSize));
    }

    void userControl(final int slot, final int eventType, final int data)
    {
        append(slot, chunks, slots.control(slot).userControl(chunks, 0, eventType, data));
    }

    void acknowledgement(final int slot, final long bytesReceived)
    {
        append(slot, chunks, slots.control(slot).acknowledgement(chunks, 0, bytesReceived));
    }

    /** Bytes made elsewhere (the handshake's answer): copied as they are. */
    void raw(final int slot, final DirectBuffer bytes, final int offset, final int length)
    {
        copy(slot, bytes, offset, length);
        replay.wrote(slot, length);
    }

    /**
     * Sends what the client has pending now, so that shared bytes after it can go straight to its
     * socket ({@link #shared}); a peer gone is found by the next flush. Not during a replay: its
     * output stays buffered until the part the client already has is discarded.
     */
    void sendPending(final int slot)
    {
        if (!replay.isReplaying())
        {
            io.flush(slot);
        }
    }

    /**
     * As {@link #raw}, for bytes shared by many clients (the relay's media, chunked once): to a
     * client with nothing pending they go straight to its socket from {@code bytes} when those are
     * off-heap, and only what the kernel did not take is copied into the client's output (never
     * during a replay, see {@link #sendPending}). A player that keeps up then holds no copy of the
     * stream (a GOP sent at join grew every player's buffer to the GOP's size, for good).
     */
    void shared(final int slot, final DirectBuffer bytes, final int offset, final int length)
    {
        final int sent = io.pendingOutput(slot) == 0 && null == bytes.byteArray() && !replay.isReplaying()
            ? io.sendNow(slot, bytes, offset, length) : 0;
        copy(slot, bytes, offset + sent, length - sent);
        replay.wrote(slot, length);
    }

    /** Appends bytes to the client's output buffer. */
    private void copy(final int slot, final DirectBuffer bytes, final int offset, final int length)
    {
        if (length > 0)
        {
            final int at = io.reserve(slot, length);
            io.output(slot).putBytes(at, bytes, offset, length);
        }
    }

    private void append(final int slot, final DirectBuffer bytes, final int length)
    {
        raw(slot, bytes, 0, length);
    }
}
