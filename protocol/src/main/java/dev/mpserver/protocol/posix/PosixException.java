package dev.mpserver.protocol.posix;

/** A failed system call: names the call and carries errno with its text. */
public final class PosixException extends RuntimeException
{
    private final String call;
    private final int errno;

    public PosixException(final String call, final int errno)
    {
        super(call + " failed: " + Posix.strerror(errno) + " (errno " + errno + ")");
        this.call = call;
        this.errno = errno;
    }

    public PosixException(final String call, final int errno, final String detail)
    {
        super(call + " failed (" + detail + "): " + Posix.strerror(errno) + " (errno " + errno + ")");
        this.call = call;
        this.errno = errno;
    }

    public String call()
    {
        return call;
    }

    public int errno()
    {
        return errno;
    }
}
