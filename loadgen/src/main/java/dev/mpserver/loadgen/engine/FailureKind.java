package dev.mpserver.loadgen.engine;

import dev.mpserver.protocol.posix.Errno;

import java.io.IOException;
import java.net.ConnectException;

/** Why a connection failed. An 'E' reply is not a failure: it is counted as shed, by code. */
public enum FailureKind
{
    /** The connect was refused (nothing listening, or the backlog overflowed with RST). */
    REFUSED("refused"),
    /** ECONNRESET or EPIPE: the peer reset the connection. */
    RESET("reset"),
    /** The server closed the connection (EOF) before loadgen was done, without an 'E'. */
    CLOSED("closed"),
    /** No progress for --timeout while loadgen was waiting for the server. */
    TIMEOUT("timeout"),
    /** Bytes that are no frame of the protocol, or a reply nobody asked for. */
    GARBAGE("garbage"),
    /** Any other I/O error (e.g. no local port or file descriptor left). */
    IO_ERROR("io-error");

    private final String label;

    FailureKind(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }

    /** Classify the errno of a failed connect, read or write. */
    public static FailureKind ofErrno(final int errno)
    {
        if (errno == Errno.ECONNREFUSED)
        {
            return REFUSED;
        }
        return errno == Errno.ECONNRESET || errno == Errno.EPIPE ? RESET : IO_ERROR;
    }

    /** Classify an exception from connect, read or write. */
    public static FailureKind of(final IOException e)
    {
        final String message = e.getMessage();
        if (e instanceof ConnectException)
        {
            return message != null && message.contains("refused") ? REFUSED : IO_ERROR;
        }
        if (message != null && (message.contains("reset") || message.contains("Broken pipe")))
        {
            return RESET;
        }
        return IO_ERROR;
    }
}
