package dev.mpserver.loadgen.report;

import dev.mpserver.loadgen.server.ServerCounter;

import java.util.List;

/**
 * One line of progress: totals so far plus what happened in the last interval (normally one second).
 * Latencies in nanoseconds; message latency is from the intended send time.
 *
 * @param elapsedNanos   since the start of the run, at the end of the interval.
 * @param intervalNanos  length of the interval.
 * @param open           connections open now (started − finished).
 * @param targetConnRate the intended connection rate at the end of the interval, 0 when not paced.
 * @param serverCounters the server's counters at that moment, empty when there are none.
 */
public record ProgressSample(
    long elapsedNanos,
    long intervalNanos,
    long started,
    long connected,
    long routed,
    long ok,
    long shed,
    long failed,
    long open,
    long messagesSent,
    long replies,
    double connRate,
    double targetConnRate,
    double replyRate,
    long intervalConnectP99Nanos,
    long intervalRouteP99Nanos,
    long intervalMessageP50Nanos,
    long intervalMessageP99Nanos,
    List<ServerCounter> serverCounters)
{
    public ProgressSample
    {
        serverCounters = List.copyOf(serverCounters);
    }
}
