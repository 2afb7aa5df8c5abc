package dev.mpserver.loadgen.rtmp;

/**
 * One second of an RTMP run: totals so far, rates and latency percentiles of the interval
 * (nanoseconds; 0 when nothing was measured in it).
 *
 * @param playing players open now that received Play.Start (served or not).
 */
public record RtmpProgressSample(
    long elapsedNanos,
    long intervalNanos,
    long publishersLive,
    long playersStarted,
    long playing,
    long served,
    long playersFailed,
    long publishersFailed,
    long videoFramesSent,
    long videoFramesReceived,
    long framesLost,
    double arrivalRate,
    double targetArrivalRate,
    double framesReceivedRate,
    double bytesReadRate,
    long intervalRelayP50Nanos,
    long intervalRelayP99Nanos,
    long intervalFirstFrameP99Nanos)
{
}
