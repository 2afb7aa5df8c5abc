package dev.mpserver.protocol.posix;

/** The errno values mpserver reacts to (x86-64 Linux). Everything else is reported by name via strerror. */
public final class Errno
{
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENOBUFS = 105;
    public static final int EADDRINUSE = 98;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    /** sendmsg with SCM_RIGHTS: the user already has RLIMIT_NOFILE fds in flight in unix sockets. */
    public static final int ETOOMANYREFS = 109;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    /** A non-blocking connect has begun: EPOLLOUT, then SO_ERROR, says how it ended. */
    public static final int EINPROGRESS = 115;

    private Errno()
    {
    }

    /** @return true for the errors that mean "the peer is gone", as opposed to a bug or a resource limit. */
    public static boolean isPeerGone(final int errno)
    {
        return errno == EPIPE || errno == ECONNRESET || errno == ETIMEDOUT;
    }
}
