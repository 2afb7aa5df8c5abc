package dev.mpserver.master.process;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;

/**
 * Workers without processes, for driving the master's policies in a test: each spawn gets a
 * made-up pid and a real socketpair (the test holds the worker's end, as a {@link Channel}); the
 * test decides when a pid exits and with which status; signals are recorded, not sent. The one
 * test double of the master: what is tested is the policy, not the operating system.
 */
public final class FakeWorkerProcesses implements WorkerProcesses, AutoCloseable
{
    /** A wait status as waitpid reports it. */
    public static int exitedWith(final int status)
    {
        return (status & 0xff) << 8;
    }

    public static int killedBy(final int signo)
    {
        return signo & 0x7f;
    }

    private int nextPid = 1_000_001;
    private boolean failSpawns;
    private String buildChange;
    private final Map<Integer, Integer> exited = new HashMap<>();
    /** Pids not reaped yet. */
    private final Set<Integer> children = new HashSet<>();
    private final Map<Integer, Channel> workerEnds = new HashMap<>();
    private final List<Integer> spawned = new ArrayList<>();
    /** Pids asked to start in SCHED_IDLE. */
    private final Set<Integer> startedIdle = new HashSet<>();
    /** Pids started as standbys. */
    private final Set<Integer> standbys = new HashSet<>();
    private final List<int[]> signals = new ArrayList<>();

    @Override
    public SpawnedWorker spawn(final int slot, final boolean acceptWhenWarm, final boolean startIdle, final boolean standby)
    {
        if (failSpawns)
        {
            throw new PosixException("posix_spawn", Errno.EAGAIN);
        }
        final int[] pair = Posix.socketPair();
        Posix.setNonBlocking(pair[0]);
        Posix.setNonBlocking(pair[1]);
        final int pid = nextPid++;
        workerEnds.put(pid, new Channel(pair[1]));
        children.add(pid);
        spawned.add(pid);
        if (startIdle)
        {
            startedIdle.add(pid);
        }
        if (standby)
        {
            standbys.add(pid);
        }
        return new SpawnedWorker(pid, pair[0]);
    }

    @Override
    public int reap(final int pid)
    {
        if (!children.contains(pid))
        {
            throw new PosixException("waitpid", Errno.ECHILD, "pid " + pid);
        }
        final Integer status = exited.remove(pid);
        if (null == status)
        {
            return -1;
        }
        children.remove(pid);
        closeChannel(pid);
        return status;
    }

    @Override
    public int signal(final int pid, final int signo)
    {
        signals.add(new int[] {pid, signo});
        return children.contains(pid) ? 0 : Errno.ESRCH;
    }

    /** The worker {@code pid} has exited with {@code waitStatus}: its channel closes, the next reap collects it. */
    public void exit(final int pid, final int waitStatus)
    {
        exited.put(pid, waitStatus);
        closeChannel(pid);
    }

    /** The worker closes its end of the channel (it is dying, or broken), without exiting yet. */
    public void closeChannel(final int pid)
    {
        final Channel end = workerEnds.remove(pid);
        if (null != end)
        {
            end.close();
        }
    }

    public void failSpawns(final boolean fail)
    {
        failSpawns = fail;
    }

    /** What {@link #buildChange} says from now on: null, or that the jars changed (as ClassPathJars would). */
    public void buildChange(final String change)
    {
        buildChange = change;
    }

    @Override
    public String buildChange()
    {
        return buildChange;
    }

    /** The worker's end of its channel: what it would read and write. */
    public Channel worker(final int pid)
    {
        return workerEnds.get(pid);
    }

    public List<Integer> spawned()
    {
        return spawned;
    }

    /** True if {@code pid} was asked to start in SCHED_IDLE. */
    public boolean startedIdle(final int pid)
    {
        return startedIdle.contains(pid);
    }

    /** True if {@code pid} was started as a standby. */
    public boolean startedAsStandby(final int pid)
    {
        return standbys.contains(pid);
    }

    /** Signals sent to {@code pid}, in order. */
    public List<Integer> signalsTo(final int pid)
    {
        final List<Integer> to = new ArrayList<>();
        for (final int[] signal : signals)
        {
            if (signal[0] == pid)
            {
                to.add(signal[1]);
            }
        }
        return to;
    }

    @Override
    public void close()
    {
        for (final Channel end : workerEnds.values())
        {
            end.close();
        }
        workerEnds.clear();
    }
}
