package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.engine.FailureKind;

import java.io.IOException;

/** Why an RTMP client failed: {@code run}'s kinds, plus the server saying no in RTMP. */
public enum RtmpFailure
{
    REFUSED("refused"),
    RESET("reset"),
    CLOSED("closed"),
    /** No progress for --timeout while waiting for the server (a reply, media, or the socket taking our bytes). */
    TIMEOUT("timeout"),
    /** Bytes that are no RTMP: a bad handshake version, a broken chunk stream, undecodable AMF. */
    GARBAGE("garbage"),
    /** The server answered {@code _error} or an onStatus of level error (BadName, StreamNotFound, Rejected). */
    REJECTED("rejected"),
    IO_ERROR("io-error");

    private final String label;

    RtmpFailure(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }

    public static RtmpFailure of(final IOException e)
    {
        switch (FailureKind.of(e))
        {
            case REFUSED:
                return REFUSED;
            case RESET:
                return RESET;
            default:
                return IO_ERROR;
        }
    }
}
