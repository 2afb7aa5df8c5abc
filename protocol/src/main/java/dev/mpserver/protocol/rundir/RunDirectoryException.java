package dev.mpserver.protocol.rundir;

/** A run directory or pid file that cannot be used; the message is one line that says why and what to do. */
public final class RunDirectoryException extends RuntimeException
{
    public RunDirectoryException(final String message)
    {
        super(message);
    }
}
