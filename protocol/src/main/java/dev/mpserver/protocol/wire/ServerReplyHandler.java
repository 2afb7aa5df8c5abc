package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

/**
 * What {@link ServerReplyParser} found in the server's byte stream, one call per complete frame.
 *
 * <p>The frame callbacks return {@code true} to go on parsing and {@code false} to stop right after
 * this frame, which then counts as consumed. Buffer regions are views of the caller's input buffer,
 * valid only during the call.
 */
public interface ServerReplyHandler
{
    /**
     * A {@code "hello, server ping!\0"}: the answer to one 'M'.
     *
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onPing();

    /**
     * The answer to 'I'.
     *
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onIdentify(int pid, int slot, int shardId, int clientsOnShard);

    /**
     * A 'B' from another client of the shard. Unlike the server side, only the body is passed: a
     * client wants the payload, and this way it needs no offsets of its own.
     *
     * @param buffer     the buffer given to {@link ServerReplyParser#parse}.
     * @param bodyOffset where the body starts: the byte after {@code 'B'}.
     * @param bodyLength length of the body without the {@code '\0'}.
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onBroadcast(DirectBuffer buffer, int bodyOffset, int bodyLength);

    /**
     * An 'E' frame; the server closes after it.
     *
     * @param code       the code byte, 0..255; {@link ErrorCode#of(int)} names the ones this version knows.
     * @param buffer     the buffer given to {@link ServerReplyParser#parse}.
     * @param textOffset where the text starts.
     * @param textLength length of the ASCII text without the {@code '\0'}.
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onError(int code, DirectBuffer buffer, int textOffset, int textLength);

    /**
     * The stream is not what a server sends. Parsing has stopped for good.
     *
     * @param value the first byte that does not fit: an unknown type byte, a byte where the ping reply
     *              differs, or the type byte ({@code 'B'} or {@code 'E'}) of a frame that ran past its
     *              length limit without a {@code '\0'}.
     */
    void onGarbage(byte value);
}
