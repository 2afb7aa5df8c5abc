package dev.mpserver.protocol.counters;

/** What every worker counts. The ordinal is the counter's index in its file: append only. */
public enum WorkerCounter
{
    CLIENTS("clients", true),
    SHARDS("shards", true),
    ACCEPTS("accepts", false),
    ACCEPT_ERRORS("accept errors (EMFILE...)", false),
    CLIENTS_CLOSED("clients closed", false),
    MESSAGES("messages", false),
    IDENTIFIES("identifies", false),
    BROADCASTS("broadcasts", false),
    BROADCAST_DELIVERIES("broadcast deliveries", false),
    ERRORS_BAD_FRAME("E1 bad frame", false),
    ERRORS_SHARD_BUSY("E3 shard busy", false),
    IDLE_TIMEOUTS("E4 idle timeouts", false),
    ERRORS_SHUTTING_DOWN("E5 shutting down", false),
    SLOW_READERS_CUT("slow readers cut off", false),
    RESETS("client resets", false),
    HANDOFFS_OUT("hand-offs to master", false),
    HANDOFFS_IN("hand-offs from master", false),
    RETURNS("hand-offs returned", false),
    FDS_LOST("fds lost (MSG_CTRUNC)", false),
    BUSIEST_SHARD("busiest shard (id)", true),
    BUSIEST_SHARD_CLIENTS("busiest shard's clients", true),
    /** New clients of this worker's own shards (or unrouted) refused at --max-clients. */
    ERRORS_SERVER_FULL("E2 server full", false),
    LINGERING("lingering closes", false),
    LINGER_TIMEOUTS("lingering closes timed out", false),
    LINGER_AT_CAPACITY("closed at once (linger full)", false);

    public static final int TYPE_ID_BASE = 1000;
    public static final int COUNT = values().length;

    private final String label;
    private final boolean gauge;

    WorkerCounter(final String label, final boolean gauge)
    {
        this.label = label;
        this.gauge = gauge;
    }

    public String label()
    {
        return label;
    }

    /** A gauge is a current level (not summed into the totals of exited workers). */
    public boolean isGauge()
    {
        return gauge;
    }

    public int typeId()
    {
        return TYPE_ID_BASE + ordinal();
    }
}
