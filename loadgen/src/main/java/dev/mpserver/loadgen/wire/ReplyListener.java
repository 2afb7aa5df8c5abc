package dev.mpserver.loadgen.wire;

/**
 * What {@link ServerReplyDecoder} found in the server's byte stream, one call per complete frame.
 * Implemented by the connection itself so that decoding allocates nothing.
 */
public interface ReplyListener
{
    /** One complete {@code "hello, server ping!\0"}: the reply to one 'M'. */
    void onPingReply();

    /** One complete 'I' reply. */
    void onIdentifyReply(int pid, int slot, int shard, int clientsOnShard);

    /**
     * One complete 'E' frame (its text skipped). The server closes the connection after it.
     *
     * @param code the code byte, 0..255; it may be one {@code ErrorCode} does not know.
     */
    void onErrorReply(int code);

    /** A 'B' frame another client of the shard broadcast; loadgen never sends 'B' itself. */
    void onBroadcast(int length);

    /**
     * Bytes that are not a frame of the protocol: the stream can no longer be trusted and decoding
     * stops until {@link ServerReplyDecoder#reset()}.
     *
     * @param offset offset within the current frame where the stream went wrong (0 = unknown type byte).
     */
    void onGarbage(int offset);
}
