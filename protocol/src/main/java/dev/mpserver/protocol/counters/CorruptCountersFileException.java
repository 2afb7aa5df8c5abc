package dev.mpserver.protocol.counters;

/** A counters file that cannot be what a server wrote; the message says in one line what is wrong with it. */
public final class CorruptCountersFileException extends Exception
{
    public CorruptCountersFileException(final String message)
    {
        super(message);
    }
}
