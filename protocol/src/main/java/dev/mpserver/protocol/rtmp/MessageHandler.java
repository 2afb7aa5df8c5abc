package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

/**
 * Receives the whole messages a {@link ChunkDecoder} assembles, one call per message.
 *
 * <p>The payload region is valid only during the call: it is either a view of the caller's input
 * buffer (a message that arrived in one chunk) or of the chunk stream's reused assembly buffer.
 * Copy what must outlive the call. The handler may change the decoder's chunk size or stop it here.
 */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * One complete message.
     *
     * @param csid            the chunk stream it came on (2..65599).
     * @param timestamp       absolute timestamp in milliseconds, 32 bits, wrapping (compare with
     *                        {@code Integer.compareUnsigned} or as differences).
     * @param typeId          message type ({@link MessageType}).
     * @param messageStreamId message stream id (0 for protocol control and NetConnection commands).
     * @param buffer          holding the payload.
     * @param offset          where the payload starts.
     * @param length          payload length, 0 allowed.
     * @return true to go on decoding; false to stop right after this message, which then counts as
     * consumed (an output buffer is full, a hand-off starts...).
     */
    boolean onMessage(
        int csid, int timestamp, int typeId, int messageStreamId, DirectBuffer buffer, int offset, int length);
}
