package dev.mpserver.master.process;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Telling a worker to stop (QUIT or QUIT_NOW on its channel, and signals where the channel cannot
 * carry them) or a standby to serve (PROMOTE). Every failure is a log line, and a failed {@code kill} is also counted.
 */
public final class WorkerCommands
{
    private static final Logger LOG = LogManager.getLogger(WorkerCommands.class);

    private final WorkerProcesses processes;
    private final MasterCounters counters;
    private final int masterPid;

    public WorkerCommands(final WorkerProcesses processes, final MasterCounters counters, final int masterPid)
    {
        this.processes = processes;
        this.counters = counters;
        this.masterPid = masterPid;
    }

    /**
     * QUIT: stop taking clients, finish those it has (up to its --drain-timeout), exit. A worker
     * whose channel is full or closed does not get it; the caller's deadline stops it later.
     *
     * @return true if the channel took the frame
     */
    public boolean quit(final WorkerSlot slot)
    {
        return send(slot, ChannelCommand.QUIT);
    }

    /**
     * PROMOTE: a standby takes clients from the listener from now on. A standby whose channel
     * cannot take it stays off the listener; the caller counts it as lost and starts another.
     *
     * @return true if the channel took the frame
     */
    public boolean promote(final WorkerSlot slot)
    {
        return send(slot, ChannelCommand.PROMOTE);
    }

    /** QUIT_NOW: end every client ({@code E 5}) and exit; SIGTERM if the channel cannot take it. */
    public void quitNow(final WorkerSlot slot)
    {
        if (!send(slot, ChannelCommand.QUIT_NOW))
        {
            signal(slot, Signals.SIGTERM);
        }
    }

    /** {@code kill(pid, signo)}, checked. */
    public void signal(final WorkerSlot slot, final int signo)
    {
        final int errno = processes.signal(slot.pid, signo);
        if (0 != errno)
        {
            counters.increment(MasterCounter.SYSCALL_FAILURES);
            LOG.error("kill({}, {}) of the worker in slot {} failed: {}", slot.pid, Signals.name(signo), slot.index, Posix.strerror(errno));
        }
    }

    private boolean send(final WorkerSlot slot, final int command)
    {
        final int result = slot.channel.send(command, 0, 0, masterPid, ChannelFrame.NO_FD);
        if (result == Channel.FULL || result == Channel.CLOSED)
        {
            LOG.warn("worker {} (slot {}): its channel cannot take {} ({})", slot.pid, slot.index, ChannelCommand.name(command),
                result == Channel.FULL ? "queue full" : "closed");
            return false;
        }
        return true;
    }
}
