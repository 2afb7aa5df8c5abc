package dev.mpserver.worker;

import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * The hops of routed clients that this worker times ({@link HopLatency}), written once a second as
 * gauges of the second just ended: accepted here until the shard is known; the master's post of a
 * hand-off until we read it; and a handed-over client read from the channel until the replies to
 * its first frames are written. With the master's own hop (a worker's post until the master
 * reads it), {@code mpserver stat} shows where a routed client's time goes.
 */
public final class HopTimes
{
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    public final HopLatency route = new HopLatency();
    public final HopLatency toOwner = new HopLatency();
    public final HopLatency serve = new HopLatency();
    private long lastRollNanos;

    /** Closes the second and writes its figures, once a second. */
    public void publishIfDue(final WorkerCounters counters, final long nowNanos)
    {
        if (nowNanos - lastRollNanos < INTERVAL_NANOS)
        {
            return;
        }
        lastRollNanos = nowNanos;
        publish(counters, route, WorkerCounter.HOP_ROUTE_P50_US, WorkerCounter.HOP_ROUTE_P99_US, WorkerCounter.HOP_ROUTE_MAX_US);
        publish(counters, toOwner, WorkerCounter.HOP_TO_OWNER_P50_US, WorkerCounter.HOP_TO_OWNER_P99_US,
            WorkerCounter.HOP_TO_OWNER_MAX_US);
        publish(counters, serve, WorkerCounter.HOP_SERVE_P50_US, WorkerCounter.HOP_SERVE_P99_US, WorkerCounter.HOP_SERVE_MAX_US);
    }

    private static void publish(
        final WorkerCounters counters, final HopLatency hop, final WorkerCounter p50, final WorkerCounter p99, final WorkerCounter max)
    {
        hop.roll();
        counters.set(p50, hop.p50Micros());
        counters.set(p99, hop.p99Micros());
        counters.set(max, hop.maxMicros());
    }
}
