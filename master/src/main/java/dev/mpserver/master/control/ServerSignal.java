package dev.mpserver.master.control;

import dev.mpserver.protocol.posix.Signals;

/** What {@code mpserver signal} can ask of a running server, and the signal that asks it (as nginx's {@code -s}). */
public enum ServerSignal
{
    /** Fast stop: workers get QUIT_NOW, SIGKILL after --grace-period. */
    stop(Signals.SIGTERM, true),
    /** Graceful stop: workers finish their clients (up to --drain-timeout), then everything exits. */
    quit(Signals.SIGQUIT, false),
    /** A new generation of workers; the old one drains. */
    reload(Signals.SIGHUP, false),
    /** Reopen --log-file in master and workers (after logrotate), and log the worker table. */
    reopen(Signals.SIGUSR1, true);

    private final int signo;
    private final boolean singleProcess;

    ServerSignal(final int signo, final boolean singleProcess)
    {
        this.signo = signo;
        this.singleProcess = singleProcess;
    }

    public int signo()
    {
        return signo;
    }

    /** Whether a single-process server ({@code --workers 0}, no master loop) understands it: its JVM owns QUIT and HUP. */
    public boolean worksInSingleProcessMode()
    {
        return singleProcess;
    }

    /** Whether the server exits after it. */
    public boolean stops()
    {
        return this == stop || this == quit;
    }
}
