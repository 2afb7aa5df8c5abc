package dev.mpserver.master.process;

import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.Signals;

/**
 * Real worker processes: a socketpair per worker, the master's end armed to raise
 * {@link Signals#SIGCHANNEL} at the master on every edge, the other end and the listener passed to
 * a JVM started by {@link WorkerLauncher}.
 */
public final class PosixWorkerProcesses implements WorkerProcesses
{
    private final WorkerLauncher launcher;
    private final WorkerConfig worker;
    private final int listenFd;
    private final int masterPid;

    public PosixWorkerProcesses(final WorkerLauncher launcher, final WorkerConfig worker, final int listenFd, final int masterPid)
    {
        this.launcher = launcher;
        this.worker = worker;
        this.listenFd = listenFd;
        this.masterPid = masterPid;
    }

    @Override
    public SpawnedWorker spawn(final int slot, final boolean acceptWhenWarm, final boolean startIdle, final boolean standby)
    {
        final int[] pair = Posix.socketPair();
        try
        {
            // Signal and owner before the worker exists, so that not even its READY can pass unseen.
            Posix.enableAsyncSignal(pair[0], Signals.SIGCHANNEL, masterPid);
            final boolean idle = acceptWhenWarm && startIdle && worker.warmUpClients > 0;
            final int pid = launcher.spawn(
                worker.forSlot(slot).withAcceptWhenWarm(acceptWhenWarm).withIdleUntilWarm(idle).withStandby(standby), pair[1], listenFd);
            Posix.closeQuietly(pair[1]); // the worker has its copy as fd 3
            return new SpawnedWorker(pid, pair[0]);
        }
        catch (final PosixException ex)
        {
            Posix.closeQuietly(pair[0]);
            Posix.closeQuietly(pair[1]);
            throw ex;
        }
    }

    @Override
    public int reap(final int pid)
    {
        return Posix.reap(pid);
    }

    @Override
    public String buildChange()
    {
        return launcher.buildChange();
    }

    @Override
    public int signal(final int pid, final int signo)
    {
        return 0 == Posix.process().kill(pid, signo) ? 0 : Posix.errno();
    }
}
