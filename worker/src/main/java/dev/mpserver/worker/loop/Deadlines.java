package dev.mpserver.worker.loop;

import java.util.Arrays;

/**
 * The worker's timers in one place: each kind of deadline the loop must wake for, and how long
 * epoll_wait may sleep. The loop refreshes them after every batch of events (each is a field or
 * an O(1) look-up in its owner) and acts on those that are due.
 *
 * <p>Idle timeouts are not a timer per client: every read would cancel and re-arm one (Agrona's
 * {@code DeadlineTimerWheel} makes that O(1), but still a store per message). The client table
 * keeps clients in least-recently-active order instead, so the next idle deadline is its head's
 * last activity plus the timeout, and a read moves one client to the tail.
 */
final class Deadlines
{
    static final int IDLE_CLIENT = 0;
    static final int LINGER_END = 1;
    static final int LOAD_REPORT = 2;
    static final int ACCEPT_RESUME = 3;
    static final int DRAIN_END = 4;
    /** EPOLLOUT wakes us when the channel drains, but not when ETOOMANYREFS (fds in flight) clears. */
    static final int CHANNEL_RETRY = 5;
    /** While the warm-up runs on its thread: look whether it is done, to say WARM soon after. */
    static final int WARM_UP_CHECK = 6;
    private static final int KINDS = 7;

    static final long NONE = Long.MAX_VALUE;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final long[] deadlineNanos = new long[KINDS];
    private final long maxWaitNanos;

    Deadlines(final long maxWaitNanos)
    {
        this.maxWaitNanos = maxWaitNanos;
        Arrays.fill(deadlineNanos, NONE);
    }

    void set(final int kind, final long nanos)
    {
        deadlineNanos[kind] = nanos;
    }

    boolean isDue(final int kind, final long nowNanos)
    {
        return deadlineNanos[kind] != NONE && nowNanos - deadlineNanos[kind] >= 0;
    }

    /** Milliseconds epoll_wait may sleep: until the earliest deadline, at most the longest wait, rounded up. */
    int waitMillis(final long nowNanos)
    {
        long wait = maxWaitNanos;
        for (final long deadline : deadlineNanos)
        {
            if (deadline != NONE)
            {
                wait = Math.min(wait, deadline - nowNanos);
            }
        }
        return (int)Math.max(0, (wait + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
    }
}
