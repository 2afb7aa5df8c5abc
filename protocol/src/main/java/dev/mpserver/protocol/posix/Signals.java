package dev.mpserver.protocol.posix;

/**
 * Signal numbers and {@code si_code} values (x86-64 Linux, glibc). {@link #SIGRTMIN} is read
 * from glibc at class load rather than assumed, because glibc reserves the first real-time
 * signals for itself.
 */
public final class Signals
{
    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    /** Plain SIGIO; with F_SETSIG in use it means the RT signal queue overflowed. */
    public static final int SIGIO = 29;

    public static final int SIGRTMIN = Posix.process().__libc_current_sigrtmin();
    /** The channel signal: every O_ASYNC edge on a master channel queues one, with si_fd set. */
    public static final int SIGCHANNEL = SIGRTMIN + 1;

    /** si_code of a signal the kernel raised itself (the SIGIO of an RT queue overflow). */
    public static final int SI_KERNEL = 0x80;
    /** si_code of a signal sent by kill(2). */
    public static final int SI_USER = 0;

    /** si_code values of SIGIO / F_SETSIG signals (si_band carries the poll bits). */
    public static final int POLL_IN = 1;
    public static final int POLL_OUT = 2;
    public static final int POLL_MSG = 3;
    public static final int POLL_ERR = 4;
    public static final int POLL_PRI = 5;
    public static final int POLL_HUP = 6;

    public static final int SIG_BLOCK = 0;
    public static final int SIG_UNBLOCK = 1;
    public static final int SIG_SETMASK = 2;

    public static final int SA_SIGINFO = 0x4;
    public static final int SA_RESTART = 0x10000000;

    private Signals()
    {
    }

    public static String name(final int signo)
    {
        switch (signo)
        {
            case SIGHUP: return "SIGHUP";
            case SIGINT: return "SIGINT";
            case SIGQUIT: return "SIGQUIT";
            case SIGKILL: return "SIGKILL";
            case SIGUSR1: return "SIGUSR1";
            case SIGALRM: return "SIGALRM";
            case SIGTERM: return "SIGTERM";
            case SIGCHLD: return "SIGCHLD";
            case SIGCONT: return "SIGCONT";
            case SIGSTOP: return "SIGSTOP";
            case SIGIO: return "SIGIO";
            default:
                return signo >= SIGRTMIN ? "SIGRTMIN+" + (signo - SIGRTMIN) : "signal " + signo;
        }
    }
}
