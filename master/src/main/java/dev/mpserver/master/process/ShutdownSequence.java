package dev.mpserver.master.process;

import dev.mpserver.protocol.posix.Signals;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Stopping the server, escalating as nginx's master does (QUIT, then TERM, then KILL), every step
 * bounded in time, so that the master always exits and never leaves a worker behind:
 *
 * <pre>
 *   RUNNING
 *     │ SIGQUIT (graceful)                          │ SIGTERM, SIGINT (fast), in RUNNING or DRAINING
 *     ▼                                             │
 *   DRAINING   every worker told QUIT; waits for    │
 *              each to finish its clients, at most  │
 *              --drain-timeout (a worker ends its   │
 *              own drain then too)                  │
 *     │ drain deadline                              │
 *     ▼                                             ▼
 *   STOPPING   every worker still there told QUIT_NOW (its clients get E 5), SIGTERM where its
 *              channel cannot take that; waits for them to exit, at most --grace-period
 *     │ grace deadline
 *     ▼
 *   KILLED     SIGKILL to every process not yet reaped; waits for SIGCHLD
 * </pre>
 *
 * From the first step on, routing refuses new clients ({@code E 5}) and so are those waiting for a
 * worker's READY. The master's cycle exits once no process is left to reap, whatever the step.
 */
public final class ShutdownSequence
{
    private static final Logger LOG = LogManager.getLogger(ShutdownSequence.class);
    private static final long NANOS_PER_MILLI = 1_000_000L;

    public static final int RUNNING = 0;
    public static final int DRAINING = 1;
    public static final int STOPPING = 2;
    public static final int KILLED = 3;

    private final WorkerTable table;
    private final WorkerCommands commands;
    private final PendingHandoffs.Sink refuseWaiting;
    private final CachedNanoClock clock;
    private final long drainTimeoutNanos;
    private final long gracePeriodNanos;

    private int state = RUNNING;
    private long drainDeadlineNanos;
    private long killDeadlineNanos;

    /** @param refuseWaiting where the clients waiting for a worker go: told the server is stopping */
    public ShutdownSequence(
        final WorkerTable table, final WorkerCommands commands, final PendingHandoffs.Sink refuseWaiting,
        final CachedNanoClock clock, final long drainTimeoutMs, final long gracePeriodMs)
    {
        this.table = table;
        this.commands = commands;
        this.refuseWaiting = refuseWaiting;
        this.clock = clock;
        this.drainTimeoutNanos = drainTimeoutMs * NANOS_PER_MILLI;
        this.gracePeriodNanos = gracePeriodMs * NANOS_PER_MILLI;
    }

    /** True until a stop began: workers are kept, and clients routed. */
    public boolean isRunning()
    {
        return state == RUNNING;
    }

    public int state()
    {
        return state;
    }

    /** SIGQUIT: let every worker finish its clients. Nothing if a stop already began. */
    public void beginGraceful()
    {
        if (state != RUNNING)
        {
            return;
        }
        LOG.info("SIGQUIT (graceful): stopping {} workers", table.processes());
        state = DRAINING;
        drainDeadlineNanos = clock.nanoTime() + drainTimeoutNanos;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (stopping(slot))
            {
                commands.quit(slot);
            }
        }
    }

    /** SIGTERM or SIGINT: QUIT_NOW now, SIGKILL after the grace period. Also ends a graceful stop early. */
    public void beginFast()
    {
        if (state >= STOPPING)
        {
            return;
        }
        LOG.info("SIGTERM/SIGINT (fast): stopping {} workers", table.processes());
        stopNow(clock.nanoTime() + gracePeriodNanos);
    }

    /** On the tick: the next step when its deadline has passed. */
    public void onTick()
    {
        final long nowNanos = clock.nanoTime();
        if (state == DRAINING && nowNanos >= drainDeadlineNanos)
        {
            LOG.warn("--drain-timeout passed with {} workers left: QUIT_NOW", table.processes());
            stopNow(drainDeadlineNanos + gracePeriodNanos);
        }
        else if (state == STOPPING && nowNanos >= killDeadlineNanos)
        {
            state = KILLED;
            for (int i = 0; i < table.capacity(); i++)
            {
                final WorkerSlot slot = table.slot(i);
                if (slot.hasProcess())
                {
                    LOG.warn("worker {} still running after the grace period: SIGKILL", slot.pid);
                    commands.signal(slot, Signals.SIGKILL);
                }
            }
        }
    }

    private void stopNow(final long killAtNanos)
    {
        state = STOPPING;
        killDeadlineNanos = killAtNanos;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (stopping(slot))
            {
                commands.quitNow(slot);
            }
        }
    }

    /**
     * Refuses the clients waiting for the worker in {@code slot}, and marks it DRAINING if it can
     * still be told to stop.
     *
     * @return true if it can be told (it has a process and a channel that did not close)
     */
    private boolean stopping(final WorkerSlot slot)
    {
        if (slot.state == WorkerSlot.FREE)
        {
            return false;
        }
        slot.pending.drainTo(refuseWaiting);
        if (null == slot.channel || slot.state == WorkerSlot.GONE)
        {
            return false;
        }
        slot.drain();
        return true;
    }
}
