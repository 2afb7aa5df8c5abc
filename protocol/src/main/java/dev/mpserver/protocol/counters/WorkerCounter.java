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
    LINGER_AT_CAPACITY("closed at once (linger full)", false),
    // RTMP (issue 14): the gauges first, then what happened.
    RTMP_SESSIONS("rtmp sessions", true),
    RTMP_PUBLISHERS("rtmp publishers", true),
    RTMP_PLAYERS("rtmp players", true),
    RTMP_STREAMS("rtmp live streams", true),
    RTMP_GOP_CACHE_BYTES("rtmp GOP cache bytes", true),
    RTMP_HANDSHAKES("rtmp handshakes", false),
    RTMP_HANDSHAKE_ERRORS("rtmp handshake errors", false),
    /** Malformed chunks or AMF, oversize messages, commands out of order: the client was ended. */
    RTMP_PROTOCOL_ERRORS("rtmp protocol errors", false),
    RTMP_UNKNOWN_COMMANDS("rtmp unknown commands", false),
    RTMP_PUBLISHES("rtmp publishes", false),
    RTMP_PLAYS("rtmp plays", false),
    /** A second publisher of a stream: NetStream.Publish.BadName, then closed. */
    RTMP_PUBLISH_REFUSED("rtmp publishes refused (BadName)", false),
    RTMP_MEDIA_BYTES_IN("rtmp media bytes from publishers", false),
    RTMP_RELAYED_BYTES("rtmp bytes relayed to players", false),
    /** Media messages a slow player did not get (it skips to the next keyframe). */
    RTMP_DROPPED_FRAMES("rtmp frames dropped (slow players)", false),
    RTMP_STATE_HANDOFFS("rtmp hand-offs with session state", false),
    RTMP_STATE_RESUMED("rtmp sessions resumed", false),
    /** Routing needed more session state than a channel frame carries: refused with an RTMP error. */
    RTMP_STATE_TOO_LARGE("rtmp state over 32 KiB (refused)", false),
    /** A handed-over state this worker could not replay exactly: refused. */
    RTMP_RESUME_ERRORS("rtmp resume errors (refused)", false),
    /** A client's fd was still registered from an earlier life of the same socket here (re-pointed, not refused). */
    STALE_REGISTRATIONS("stale epoll registrations re-pointed", false),
    // The hops of a routed client timed here, over the last second (HopLatency): gauges whose total is the workers' maximum.
    /** Accepted here → its shard known (its 'C' read; for RTMP, the command that names the key). */
    HOP_ROUTE_P50_US("hop accept->shard known p50 us (1 s)", Aggregate.MAXIMUM),
    HOP_ROUTE_P99_US("hop accept->shard known p99 us (1 s)", Aggregate.MAXIMUM),
    HOP_ROUTE_MAX_US("hop accept->shard known max us (1 s)", Aggregate.MAXIMUM),
    /** The master posted a hand-off → this worker read it (the master's flush, the kernel, our wake-up). */
    HOP_TO_OWNER_P50_US("hop master->owner p50 us (1 s)", Aggregate.MAXIMUM),
    HOP_TO_OWNER_P99_US("hop master->owner p99 us (1 s)", Aggregate.MAXIMUM),
    HOP_TO_OWNER_MAX_US("hop master->owner max us (1 s)", Aggregate.MAXIMUM),
    /** A handed-over client read from the channel → its first frames answered and written. */
    HOP_SERVE_P50_US("hop hand-over->replies sent p50 us (1 s)", Aggregate.MAXIMUM),
    HOP_SERVE_P99_US("hop hand-over->replies sent p99 us (1 s)", Aggregate.MAXIMUM),
    HOP_SERVE_MAX_US("hop hand-over->replies sent max us (1 s)", Aggregate.MAXIMUM),
    /** Shards this worker took for a client that landed here, without the master (SharedShardTable). */
    SHARDS_CLAIMED("shards taken here (no master)", false),
    /** ...of them, empty shards of another worker it took over. */
    SHARDS_TAKEN_OVER("empty shards taken over", false),
    /** Synthetic clients served to the end by this worker's warm-up before WARM; fewer than --warm-up: it ended early. */
    WARM_UP_CLIENTS("warm-up clients served", false),
    /** How long this worker's warm-up took, from its READY. */
    WARM_UP_MS("warm-up ms", Aggregate.MAXIMUM),
    /** 1 while this worker is a standby waiting off the listener (--standby), 0 once promoted or for any other worker. */
    STANDING_BY("standing by (off the listener)", true);

    /** How live workers' values make a total. */
    public enum Aggregate
    {
        /** Counts: live and exited workers summed. */
        SUM,
        /** Levels: live workers summed. */
        GAUGE,
        /** Latencies: the highest live worker's. */
        MAXIMUM
    }

    public static final int TYPE_ID_BASE = 1000;
    public static final int COUNT = values().length;

    private final String label;
    private final Aggregate aggregate;

    WorkerCounter(final String label, final boolean gauge)
    {
        this(label, gauge ? Aggregate.GAUGE : Aggregate.SUM);
    }

    WorkerCounter(final String label, final Aggregate aggregate)
    {
        this.label = label;
        this.aggregate = aggregate;
    }

    public Aggregate aggregate()
    {
        return aggregate;
    }

    public String label()
    {
        return label;
    }

    /** A gauge is a current level (not summed into the totals of exited workers). */
    public boolean isGauge()
    {
        return aggregate != Aggregate.SUM;
    }

    public int typeId()
    {
        return TYPE_ID_BASE + ordinal();
    }
}
