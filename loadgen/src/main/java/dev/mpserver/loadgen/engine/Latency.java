package dev.mpserver.loadgen.engine;

/** The latency figures loadgen records, each into its own HdrHistogram (nanoseconds). */
public enum Latency
{
    /** connect() called → connect complete. */
    CONNECT("connect"),
    /** Intended start of the connection (paced arrivals only) → connect complete. */
    CONNECT_FROM_INTENDED("connect (from intended start)"),
    /** 'C' + first 'M' written → first reply. */
    ROUTE("route"),
    /** Each 'M' after the first: written → its reply. */
    MESSAGE("message (from actual send)"),
    /** Each 'M' after the first: intended send time → its reply (equal to MESSAGE without --msg-rate). */
    MESSAGE_FROM_INTENDED("message (from intended send)"),
    /**
     * Not a latency: when each connection that ended ok ended, from the run's time zero. Its
     * percentiles say how long the run took to complete a share of its connections (a burst's
     * "conns done per second until 90 % done", without the tail of the last few).
     */
    DONE("ok connection done (from run start)");

    private final String label;

    Latency(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
