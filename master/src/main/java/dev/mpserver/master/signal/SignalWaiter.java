package dev.mpserver.master.signal;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.ProcessLibC;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SigAction;
import dev.mpserver.protocol.posix.SigInfo;
import dev.mpserver.protocol.posix.SigSet;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.posix.TimeSpec;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's only way of waiting: {@code sigsuspend} with the master's signals unblocked, an
 * SA_SIGINFO handler that only records into a {@link SignalRing}, then a zero-timeout
 * {@code sigtimedwait} drain of whatever else is queued (sigsuspend runs one handler per return).
 *
 * <p>The master's signals are blocked in every thread (the master re-executes itself with them
 * blocked), so the handler can only ever run inside {@link #await}, on the loop's own thread,
 * never in the middle of other Java code.
 */
public final class SignalWaiter
{
    private static final Logger LOG = LogManager.getLogger(SignalWaiter.class);

    /** Every signal the master acts on; blocked everywhere except inside sigsuspend. */
    public static final int[] MASTER_SIGNALS = {
        Signals.SIGHUP, Signals.SIGINT, Signals.SIGQUIT, Signals.SIGUSR1, Signals.SIGALRM,
        Signals.SIGTERM, Signals.SIGCHLD, Signals.SIGIO, Signals.SIGCHANNEL};

    private final ProcessLibC libc = Posix.process();
    private final SignalRing ring;
    private final SigSet masterSignals = SigSet.of(MASTER_SIGNALS);
    private final SigSet channelSignalOnly = SigSet.of(Signals.SIGCHANNEL);
    private final SigSet waitMask;
    private final SigInfo drained = new SigInfo();
    private final SigInfo handled = SigInfo.flyweight();
    private final TimeSpec zero = new TimeSpec().nanos(0);
    /** Strongly referenced for the life of the process: a collected closure would leave a dangling handler. */
    private final ProcessLibC.SigInfoHandler handler;

    public SignalWaiter(final SignalRing ring)
    {
        this.ring = ring;
        this.handler = (signo, info, context) ->
        {
            handled.wrap(info);
            ring.record(signo, handled.code(), handled.fd(), handled.pid());
        };
        waitMask = SigSet.currentMask();
        for (final int signo : MASTER_SIGNALS)
        {
            waitMask.remove(signo);
        }
    }

    /** @return true if every master signal is blocked on this thread (it must be, before {@link #install}). */
    public boolean masterSignalsBlocked()
    {
        final SigSet mask = SigSet.currentMask();
        for (final int signo : MASTER_SIGNALS)
        {
            if (!mask.contains(signo))
            {
                return false;
            }
        }
        return true;
    }

    public SigSet masterSignals()
    {
        return masterSignals;
    }

    public void install()
    {
        final SigAction action = new SigAction().set(Posix.closureAddress(handler), Signals.SA_SIGINFO, masterSignals);
        for (final int signo : MASTER_SIGNALS)
        {
            Posix.checked("sigaction(" + Signals.name(signo) + ")", libc.sigaction(signo, action.address(), 0L));
        }
    }

    /** Sleeps until at least one master signal arrives, then drains every queued one into the ring. */
    public void await()
    {
        // sigsuspend only ever returns -1/EINTR, after a handler ran: there is no failure to check.
        libc.sigsuspend(waitMask.address());
        drain();
    }

    /** Takes every queued master signal into the ring without sleeping. */
    public void drain()
    {
        while (true)
        {
            final int signo = libc.sigtimedwait(masterSignals.address(), drained.address(), zero.address());
            if (signo < 0)
            {
                if (nothingMoreQueued())
                {
                    return;
                }
                continue;
            }
            ring.record(signo, drained.code(), drained.fd(), drained.pid());
        }
    }

    /**
     * After an RT queue overflow the queued channel signals say nothing a full rescan will not
     * find: throw them away so the queue has room again.
     *
     * @return how many were discarded
     */
    public int discardChannelSignals()
    {
        int count = 0;
        while (true)
        {
            if (libc.sigtimedwait(channelSignalOnly.address(), drained.address(), zero.address()) > 0)
            {
                count++;
            }
            else if (nothingMoreQueued())
            {
                return count;
            }
        }
    }

    /**
     * After a failed zero-timeout sigtimedwait: EAGAIN is the normal end; EINTR means try again;
     * anything else cannot happen with our sets and is logged (what was queued stays queued and is
     * delivered by the next sigsuspend).
     *
     * @return true if there is nothing more to take now
     */
    private static boolean nothingMoreQueued()
    {
        final int errno = Posix.errno();
        if (errno == Errno.EINTR)
        {
            return false;
        }
        if (errno != Errno.EAGAIN)
        {
            LOG.error("sigtimedwait failed: {}", Posix.strerror(errno));
        }
        return true;
    }
}
