package dev.mpserver.protocol.launch;

/**
 * What the master and a worker process agree on besides the worker's argv ({@link WorkerConfig}):
 * where the master places the worker's two fds, and what the worker's exit status tells the master.
 */
public final class WorkerLaunch
{
    /** The worker's end of its channel to the master. */
    public static final int CHANNEL_FD = 3;
    /** The listening socket every worker accepts on. */
    public static final int LISTEN_FD = 4;

    /** Served until told to stop, or until its channel closed. */
    public static final int EXIT_OK = 0;
    /** Its configuration cannot work (bad argv, fds that are not sockets): the master does not respawn it. */
    public static final int EXIT_FATAL_CONFIG = 2;

    private WorkerLaunch()
    {
    }
}
