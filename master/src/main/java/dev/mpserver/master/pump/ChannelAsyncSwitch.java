package dev.mpserver.master.pump;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.Posix;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Turns O_ASYNC on or off on every open channel ({@code fcntl F_GETFL/F_SETFL}): off, the
 * channels raise no RT signal; on, every edge raises one again. Each failure is counted and the
 * first of a run is logged (a failing fcntl on each pass would flood the log).
 */
public final class ChannelAsyncSwitch
{
    private static final Logger LOG = LogManager.getLogger(ChannelAsyncSwitch.class);

    private final LibC libc = Posix.LIBC;
    private final WorkerTable table;
    private final MasterCounters counters;
    private boolean failing;

    public ChannelAsyncSwitch(final WorkerTable table, final MasterCounters counters)
    {
        this.table = table;
        this.counters = counters;
    }

    /** @return true if every open channel now has O_ASYNC {@code on} */
    public boolean set(final boolean on)
    {
        boolean all = true;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            final Channel channel = slot.channel;
            if (null == channel || channel.isClosed())
            {
                continue;
            }
            final int fd = channel.fd();
            final int flags = libc.fcntl(fd, Posix.F_GETFL, 0);
            if (flags < 0)
            {
                all = failed("F_GETFL", slot, on);
                continue;
            }
            if (libc.fcntl(fd, Posix.F_SETFL, on ? flags | Posix.O_ASYNC : flags & ~Posix.O_ASYNC) < 0)
            {
                all = failed("F_SETFL", slot, on);
            }
        }
        failing = !all;
        return all;
    }

    private boolean failed(final String command, final WorkerSlot slot, final boolean on)
    {
        counters.increment(MasterCounter.SYSCALL_FAILURES);
        if (!failing)
        {
            LOG.error("fcntl({}) turning O_ASYNC {} on the channel of worker {} (slot {}) failed: {}", command, on ? "on" : "off",
                slot.pid, slot.index, Posix.strerror(Posix.errno()));
        }
        failing = true;
        return false;
    }
}
