package dev.mpserver.master.process;

import dev.mpserver.protocol.posix.PosixException;

/**
 * What the supervisor asks of the operating system: start a worker, collect its exit status, send
 * it a signal. Behind an interface so that the supervisor's policy (respawn, backoff, fatal exits,
 * spares, recycling) can be driven in a test with made-up pids and exit statuses; the server uses
 * {@link PosixWorkerProcesses}.
 */
public interface WorkerProcesses
{
    /**
     * Starts the worker of slot {@code slot}.
     *
     * @param acceptWhenWarm other workers are warm and accepting: the new one accepts only once its
     *                       warm-up is done ({@code WorkerConfig#acceptWhenWarm})
     * @param startIdle      besides, it starts in SCHED_IDLE and leaves it when warm ({@code
     *                       WorkerConfig#startedIdle}); ignored where it has no warm-up
     * @param standby        it waits, warm and off the listener, for PROMOTE ({@code WorkerConfig#standby})
     * @return its pid and the master's end of its channel (non-blocking; armed for O_ASYNC)
     * @throws PosixException if it could not be started; nothing is left open then
     */
    SpawnedWorker spawn(int slot, boolean acceptWhenWarm, boolean startIdle, boolean standby);

    /**
     * {@code waitpid(pid, WNOHANG)}: never -1 (SIGCHLD coalesces, and other children are not ours).
     *
     * @return the raw wait status, or -1 while it runs
     * @throws PosixException e.g. ECHILD for a pid that is not (or no longer) our child
     */
    int reap(int pid);

    /** @return 0, or the errno of a failed {@code kill(pid, signo)} */
    int signal(int pid, int signo);

    /**
     * Whether a worker started now would be another build than this master ({@link ClassPathJars}).
     *
     * @return null if not, else what changed on the workers' class path
     */
    default String buildChange()
    {
        return null;
    }
}
