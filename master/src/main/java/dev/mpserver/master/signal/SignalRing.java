package dev.mpserver.master.signal;

/**
 * Preallocated record of the signals taken since the loop last acted: what the handler and the
 * zero-timeout sigtimedwait drain copy out of each {@code siginfo_t}, and nothing more. When it
 * fills up, the remaining signals are only counted and {@link #overflowed()} tells the loop to
 * rescan everything, exactly as for a kernel RT-queue overflow.
 */
public final class SignalRing
{
    private final int capacity;
    private final int[] signo;
    private final int[] code;
    private final int[] fd;
    private final int[] pid;
    private int size;
    private boolean overflowed;

    public SignalRing(final int capacity)
    {
        this.capacity = capacity;
        signo = new int[capacity];
        code = new int[capacity];
        fd = new int[capacity];
        pid = new int[capacity];
    }

    /** Called from the signal handler: copies, never allocates, never blocks. */
    public void record(final int signalNumber, final int signalCode, final int signalFd, final int signalPid)
    {
        if (size == capacity)
        {
            overflowed = true;
            return;
        }
        signo[size] = signalNumber;
        code[size] = signalCode;
        fd[size] = signalFd;
        pid[size] = signalPid;
        size++;
    }

    public int size()
    {
        return size;
    }

    public int signo(final int index)
    {
        return signo[index];
    }

    public int code(final int index)
    {
        return code[index];
    }

    public int fd(final int index)
    {
        return fd[index];
    }

    public int pid(final int index)
    {
        return pid[index];
    }

    public boolean overflowed()
    {
        return overflowed;
    }

    /** True if signals were taken and not yet acted on (or lost to a full ring: also to act on). */
    public boolean pending()
    {
        return size > 0 || overflowed;
    }

    public void clear()
    {
        size = 0;
        overflowed = false;
    }
}
