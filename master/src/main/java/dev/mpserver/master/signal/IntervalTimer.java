package dev.mpserver.master.signal;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.ITimerVal;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.ProcessLibC;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's tick: {@code setitimer(ITIMER_REAL)} raising SIGALRM every period, which wakes the
 * cycle for housekeeping (deadlines, spares, shard ageing, lingering refusals) even when nothing
 * else happens.
 */
public final class IntervalTimer
{
    private static final Logger LOG = LogManager.getLogger(IntervalTimer.class);

    private final ProcessLibC libc = Posix.process();
    private final ITimerVal value = new ITimerVal();
    private final MasterCounters counters;

    public IntervalTimer(final MasterCounters counters)
    {
        this.counters = counters;
    }

    /** @throws dev.mpserver.protocol.posix.PosixException if it cannot be armed: a master without a tick cannot keep its deadlines */
    public void start(final long periodMicros)
    {
        Posix.checked("setitimer", libc.setitimer(ITimerVal.ITIMER_REAL, value.periodMicros(periodMicros).address(), 0L));
    }

    /** Disarms it; a failure is logged and counted (the process is about to exit: a stray SIGALRM is blocked). */
    public void stop()
    {
        if (0 != libc.setitimer(ITimerVal.ITIMER_REAL, value.periodMicros(0).address(), 0L))
        {
            counters.increment(MasterCounter.SYSCALL_FAILURES);
            LOG.error("setitimer (disarming the tick) failed: {}", Posix.strerror(Posix.errno()));
        }
    }
}
