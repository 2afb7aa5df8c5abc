package dev.mpserver.master.cli;

/** A command that cannot do what it was asked, with the reason already in words for its one-line error. */
final class CommandFailedException extends RuntimeException
{
    CommandFailedException(final String message)
    {
        super(message);
    }
}
