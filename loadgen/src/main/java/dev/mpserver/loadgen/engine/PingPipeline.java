package dev.mpserver.loadgen.engine;

/**
 * The pings of one connection: {@code msgs} in all, at most {@code pipeline} of them unanswered,
 * each due {@code 1 / msg-rate} after the one before, counted from the moment the connection was
 * made (none: as fast as replies come). For each ping in flight it keeps when it was meant to go
 * and when it went: a reply's latency counts from both, as wrk2 measures, so that a stalled server
 * cannot hide behind a client that fell behind its schedule.
 *
 * <pre>
 *   ring slot = ping number % pipeline:  | intended, actual | intended, actual | ...
 *   replied <= oldest unanswered < sent, sent - replied <= pipeline
 * </pre>
 */
final class PingPipeline
{
    private final long[] sentAt;
    private final long[] intendedAt;
    private final int pipeline;
    private final int msgs;
    private final double intervalNanos;
    private int sent;
    private int replied;

    PingPipeline(final int pipeline, final int msgs, final double msgRate)
    {
        this.pipeline = pipeline;
        this.msgs = msgs;
        this.intervalNanos = msgRate > 0 ? 1e9 / msgRate : 0;
        this.sentAt = new long[pipeline];
        this.intendedAt = new long[pipeline];
    }

    /** For a new connection. */
    void reset()
    {
        sent = 0;
        replied = 0;
    }

    /** @return true if a ping may go: not all were sent, and the pipeline has room. */
    boolean hasRoom()
    {
        return sent < msgs && sent - replied < pipeline;
    }

    /** @return when the next ping is due: {@code now} when not paced. */
    long nextDue(final long connectedAt, final long now)
    {
        return intervalNanos > 0 ? connectedAt + (long)(sent * intervalNanos) : now;
    }

    void sent(final long intended, final long actual)
    {
        final int ring = sent % pipeline;
        intendedAt[ring] = intended;
        sentAt[ring] = actual;
        sent++;
    }

    /** @return true while pings wait for their replies. */
    boolean hasUnanswered()
    {
        return sent > replied;
    }

    /** @return replies so far; the first is the route's, not a message's. */
    int replied()
    {
        return replied;
    }

    /** @return when the oldest unanswered ping went. */
    long oldestSentAt()
    {
        return sentAt[replied % pipeline];
    }

    /** @return when the oldest unanswered ping was due. */
    long oldestIntendedAt()
    {
        return intendedAt[replied % pipeline];
    }

    /** The oldest unanswered ping has its reply. @return true if it was the last of them all */
    boolean answered()
    {
        replied++;
        return replied >= msgs;
    }
}
