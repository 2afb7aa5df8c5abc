package dev.mpserver.protocol.rtmp;

/**
 * Malformed or unsupported AMF0 input: says what and at which byte. The readers throw nothing else
 * on bad input (no {@code IndexOutOfBoundsException}); a session answers the peer and closes.
 */
public final class Amf0Exception extends RuntimeException
{
    private final int position;

    public Amf0Exception(final String reason, final int position)
    {
        super(reason + " (at byte " + position + ")");
        this.position = position;
    }

    /** @return the buffer index where the problem was found. */
    public int position()
    {
        return position;
    }
}
