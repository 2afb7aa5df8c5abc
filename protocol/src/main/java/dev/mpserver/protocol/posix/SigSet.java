package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A glibc {@code sigset_t}: 1024 bits (128 bytes), bit {@code signo - 1} set for each member.
 * Manipulated through glibc's own sigemptyset/sigaddset so the bit order is glibc's.
 */
public final class SigSet
{
    public static final int SIZE = 128;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    public static SigSet of(final int... signals)
    {
        final SigSet set = new SigSet();
        for (final int signo : signals)
        {
            set.add(signo);
        }
        return set;
    }

    public SigSet clear()
    {
        Posix.checked("sigemptyset", Posix.process().sigemptyset(address()));
        return this;
    }

    public SigSet add(final int signo)
    {
        Posix.checked("sigaddset", Posix.process().sigaddset(address(), signo));
        return this;
    }

    public SigSet remove(final int signo)
    {
        Posix.checked("sigdelset", Posix.process().sigdelset(address(), signo));
        return this;
    }

    /** The calling thread's current signal mask. */
    public static SigSet currentMask()
    {
        final SigSet mask = new SigSet();
        Posix.checked("sigprocmask", Posix.process().sigprocmask(Signals.SIG_BLOCK, 0L, mask.address()));
        return mask;
    }

    public boolean contains(final int signo)
    {
        return Posix.checked("sigismember", Posix.process().sigismember(address(), signo)) == 1;
    }

    public long address()
    {
        return memory.addressOffset();
    }
}
