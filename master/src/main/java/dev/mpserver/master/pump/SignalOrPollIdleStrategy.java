package dev.mpserver.master.pump;

import java.util.function.BooleanSupplier;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.protocol.counters.MasterCounter;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the master waits between passes of its cycle: asleep in {@code sigsuspend} until a signal,
 * or not at all while a burst lasts. Under a burst every frame a worker writes queues one RT
 * signal, and taking each costs the master a syscall: that, not routing, bounds the hand-off
 * rate. So, like NAPI in network drivers, a pass that reads a burst switches the channels'
 * O_ASYNC off and the master polls every channel on each pass until a pass reads nothing; then
 * O_ASYNC goes back on and every channel is read once more before any sleep, so that a frame that
 * arrived between the last poll and the re-arm is not left without a signal.
 *
 * <pre>
 *                    frames read ≥ {@value #POLL_ENTER_FRAMES}: O_ASYNC off
 *      ┌──────────┐ ─────────────────────────────────────▶ ┌──────────┐  frames read > 0:
 *      │ SIGNALLED│                                        │ POLLING  │  read every channel
 *      └──────────┘ ◀───────────────────────────────────── └──────────┘  again, no sleep
 *       │  ▲          0 frames read: O_ASYNC on, read every
 *       │  │          channel once more, no sleep
 *       ▼  │
 *     sigsuspend, unless signals are waiting to be acted on or a channel spent its budget
 * </pre>
 *
 * An O_ASYNC that cannot be turned back on (fcntl failed, counted and logged) keeps the strategy
 * polling: a channel without it would never wake the master again.
 *
 * <p>In Agrona's shape: the cycle calls {@link #idle(int)} with what its {@link ChannelPump} read.
 */
public final class SignalOrPollIdleStrategy implements IdleStrategy
{
    /** Frames in one pass that make the master stop taking one RT signal per frame and poll instead. */
    public static final int POLL_ENTER_FRAMES = 32;

    private final ChannelAsyncSwitch async;
    private final Runnable readEveryChannel;
    private final BooleanSupplier workWaiting;
    private final Runnable sleep;
    private final MasterCounters counters;
    private boolean polling;

    /**
     * @param readEveryChannel has the next pass read every channel
     * @param workWaiting      true if the next pass has work already (signals taken, a channel backlogged)
     * @param sleep            waits for the next signal (sigsuspend)
     */
    public SignalOrPollIdleStrategy(
        final ChannelAsyncSwitch async, final Runnable readEveryChannel, final BooleanSupplier workWaiting, final Runnable sleep,
        final MasterCounters counters)
    {
        this.async = async;
        this.readEveryChannel = readEveryChannel;
        this.workWaiting = workWaiting;
        this.sleep = sleep;
        this.counters = counters;
    }

    /** @param framesRead frames the last pass read from the channels */
    @Override
    public void idle(final int framesRead)
    {
        if (polling)
        {
            if (0 == framesRead && async.set(true))
            {
                polling = false;
            }
            readEveryChannel.run();
            return;
        }
        if (framesRead >= POLL_ENTER_FRAMES)
        {
            async.set(false); // a channel left on only costs signals
            polling = true;
            counters.increment(MasterCounter.POLL_PHASES);
            readEveryChannel.run();
            return;
        }
        if (!workWaiting.getAsBoolean())
        {
            sleep.run();
        }
    }

    /** Sleeps until the next signal. */
    @Override
    public void idle()
    {
        sleep.run();
    }

    @Override
    public void reset()
    {
    }

    public boolean isPolling()
    {
        return polling;
    }

    @Override
    public String alias()
    {
        return "signal-or-poll";
    }
}
