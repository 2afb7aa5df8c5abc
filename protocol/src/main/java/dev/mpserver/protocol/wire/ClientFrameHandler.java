package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

/**
 * What {@link ClientFrameParser} found in a client's byte stream, one call per complete frame.
 *
 * <p>The frame callbacks return {@code true} to go on parsing and {@code false} to stop right after
 * this frame, which then counts as consumed: a worker whose output buffer is full stops here and
 * parses the rest later, and a worker that hands the connection off stops after the 'C' so that the
 * bytes behind it stay for the worker that will serve the client.
 *
 * <p>Buffer regions are views of the caller's input buffer, valid only during the call: copy what
 * must outlive it.
 */
public interface ClientFrameHandler
{
    /**
     * The connection's first frame was {@code 'C' id}.
     *
     * @param shardId the shard the client belongs to, any int32.
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onControl(int shardId);

    /**
     * An {@code 'M'} frame.
     *
     * @param buffer     the buffer given to {@link ClientFrameParser#parse}.
     * @param bodyOffset where the body starts: the byte after {@code 'M'}.
     * @param bodyLength length of the body without the {@code '\0'}; 0 for {@code "M\0"}.
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onMessage(DirectBuffer buffer, int bodyOffset, int bodyLength);

    /**
     * An {@code 'I'} frame.
     *
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onIdentify();

    /**
     * A {@code 'B'} frame. Unlike {@link #onMessage}, the region is the whole frame, {@code 'B'} and
     * {@code '\0'} included, because the other clients of the shard receive exactly these bytes.
     *
     * @param buffer      the buffer given to {@link ClientFrameParser#parse}.
     * @param frameOffset where the {@code 'B'} is.
     * @param frameLength length of the frame, {@code 'B'} and {@code '\0'} included.
     * @return true to go on parsing, false to stop after this frame.
     */
    boolean onBroadcast(DirectBuffer buffer, int frameOffset, int frameLength);

    /**
     * The stream broke the protocol. Parsing has stopped for good: the caller answers with an
     * {@code 'E'} frame of this code and reason (see {@link WireEncoder#putError}) and closes.
     *
     * @param code   the error to send, {@link ErrorCode#BAD_FRAME} for every parser error.
     * @param reason ASCII text for the error frame; one of the parser's constant strings.
     */
    void onError(ErrorCode code, String reason);
}
