package dev.mpserver.protocol.wire;

/**
 * The code byte of an {@code 'E'} frame. The server sends {@code 'E' code text '\0'} and then closes.
 */
public enum ErrorCode
{
    /** Unknown frame type, frame over {@link WireProtocol#MAX_FRAME_LENGTH}, a second 'C'. */
    BAD_FRAME(1, "bad frame"),
    /** No worker can take the shard: all at --max-workers and at capacity. */
    SERVER_FULL(2, "server full"),
    /** The shard's worker has a full hand-off queue. */
    SHARD_BUSY(3, "shard busy"),
    /** Nothing arrived for --idle-timeout. */
    IDLE_TIMEOUT(4, "idle timeout"),
    /** The server is stopping. */
    SHUTTING_DOWN(5, "shutting down");

    private static final ErrorCode[] BY_CODE = new ErrorCode[6];

    static
    {
        for (final ErrorCode e : values())
        {
            BY_CODE[e.code] = e;
        }
    }

    private final int code;
    private final String text;

    ErrorCode(final int code, final String text)
    {
        this.code = code;
        this.text = text;
    }

    public int code()
    {
        return code;
    }

    public String text()
    {
        return text;
    }

    /** @return the error for a code byte, or null for a code this version does not know. */
    public static ErrorCode of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
