package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The fields of a {@code siginfo_t} (128 bytes) that mpserver reads. The union at @16 is read as
 * {@code si_pid}/{@code si_uid} for SIGCHLD and kill(2), and as {@code si_band}/{@code si_fd} for
 * SIGIO and F_SETSIG signals.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |           si_signo            |           si_errno            |  @0
 *  +-------------------------------+-------------------------------+
 *  |           si_code             |           padding             |  @8
 *  +-------------------------------+-------------------------------+
 *  |   si_band (long) / si_pid     |           si_uid              |  @16
 *  +-------------------------------+-------------------------------+
 *  |      si_fd / si_status        |        ... (to 128 bytes)     |  @24
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class SigInfo
{
    public static final int SIGNO_OFFSET = 0;
    public static final int ERRNO_OFFSET = SIGNO_OFFSET + Integer.BYTES;
    public static final int CODE_OFFSET = ERRNO_OFFSET + Integer.BYTES;
    public static final int BAND_OFFSET = CODE_OFFSET + Long.BYTES;
    public static final int PID_OFFSET = BAND_OFFSET;
    public static final int UID_OFFSET = PID_OFFSET + Integer.BYTES;
    public static final int FD_OFFSET = BAND_OFFSET + Long.BYTES;
    public static final int STATUS_OFFSET = FD_OFFSET;
    public static final int SIZE = 128;

    private final UnsafeBuffer view;

    /** A siginfo in memory of its own, e.g. for sigtimedwait. */
    public SigInfo()
    {
        view = NativeMemory.allocate(SIZE);
    }

    private SigInfo(final UnsafeBuffer view)
    {
        this.view = view;
    }

    /** @return a view to {@link #wrap} over a siginfo the kernel handed us (a handler's argument). */
    public static SigInfo flyweight()
    {
        return new SigInfo(new UnsafeBuffer(0, 0));
    }

    public SigInfo wrap(final long address)
    {
        view.wrap(address, SIZE);
        return this;
    }

    public int signo()
    {
        return view.getInt(SIGNO_OFFSET);
    }

    public int code()
    {
        return view.getInt(CODE_OFFSET);
    }

    public long band()
    {
        return view.getLong(BAND_OFFSET);
    }

    public int pid()
    {
        return view.getInt(PID_OFFSET);
    }

    public int fd()
    {
        return view.getInt(FD_OFFSET);
    }

    public int status()
    {
        return view.getInt(STATUS_OFFSET);
    }

    public long address()
    {
        return view.addressOffset();
    }
}
