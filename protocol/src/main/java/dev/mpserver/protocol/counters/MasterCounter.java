package dev.mpserver.protocol.counters;

/** What the master counts. The ordinal is the counter's index in its file: append only. */
public enum MasterCounter
{
    WORKERS("workers", true),
    SHARDS("shards", true),
    CLIENTS("clients (worker reports)", true),
    SIGQ_QUEUED("SigQ queued (this user)", true),
    SIGQ_LIMIT("SigQ limit (RLIMIT_SIGPENDING)", true),
    HANDOFF_BACKLOG("hand-offs waiting", true),
    RESPAWN_BACKOFF_MS("respawn backoff ms", true),
    LAST_SPAWN_TO_READY_MS("last spawn-to-READY ms", true),
    RT_SIGNALS("RT signals", false),
    OVERFLOWS("RT queue overflows (SIGIO)", false),
    RESCANS("rescans", false),
    DISCARDED_SIGNALS("RT signals discarded", false),
    FRAMES_IN("channel frames in", false),
    FRAMES_OUT("channel frames out", false),
    HANDOFFS_IN("hand-offs in", false),
    HANDOFFS_ROUTED("hand-offs routed", false),
    HANDOFFS_QUEUED("hand-offs queued", false),
    HANDOFFS_RETURNED("hand-offs returned", false),
    REJECTED_SERVER_FULL("E2 server full", false),
    REJECTED_SHARD_BUSY("E3 shard busy", false),
    REJECTED_SHUTTING_DOWN("E5 shutting down", false),
    FDS_LOST("fds lost (MSG_CTRUNC)", false),
    SPAWNS("spawns", false),
    SPAWN_FAILURES("spawn failures", false),
    DEATHS("worker exits", false),
    CRASHES("worker crashes", false),
    SHARDS_EXPIRED("shards expired", false),
    STALE_SHARD_GONE("stale SHARD_GONE ignored", false),
    POLL_PHASES("bursts polled with O_ASYNC off", false),
    /** Channel flushes held back by ETOOMANYREFS: the user had RLIMIT_NOFILE fds in flight in unix sockets. */
    FD_LIMIT_STALLS("flushes held by fds in flight", false),
    /** A full worker returned a client of a shard it had no other client of: the shard moved. */
    HANDOFFS_REROUTED("returned, moved elsewhere", false),
    /** A full worker returned a client of a shard it serves: not split, so refused. */
    REJECTED_SHARD_WORKER_FULL("E2 shard worker full", false),
    LINGERING("lingering closes", false),
    LINGER_TIMEOUTS("lingering closes timed out", false),
    LINGER_AT_CAPACITY("closed at once (linger full)", false),
    MAX_WORKERS("--max-workers", true),
    MAX_CLIENTS("--max-clients (per worker)", true),
    WORKER_CAPACITY("--worker-capacity", true),
    /** Workers the master would not place a new shard on: full by its count or by their RETURN. */
    WORKERS_FULL("workers at capacity", true),
    /** setitimer, kill or fcntl calls of the master that failed; each is also a log line saying which and why. */
    SYSCALL_FAILURES("failed syscalls (see the log)", false),
    /** A worker posted a hand-off → the master read it (its flush, the kernel, the RT signal, our wake-up), last second. */
    HOP_TO_MASTER_P50_US("hop worker->master p50 us (1 s)", true),
    HOP_TO_MASTER_P99_US("hop worker->master p99 us (1 s)", true),
    HOP_TO_MASTER_MAX_US("hop worker->master max us (1 s)", true),
    /** Spawn to WARM (READY, then its own warm-up clients served) of the last worker that said it. */
    LAST_SPAWN_TO_WARM_MS("last spawn-to-WARM ms", true),
    /** A client whose shard could not get an entry in the shard table (its set full of shards with clients): E 3. */
    REJECTED_SHARD_TABLE("E3 shard table set full", false),
    /** SIGHUPs refused because the workers' jars are no longer the master's build (ClassPathJars): a restart upgrades. */
    RELOADS_REFUSED("reloads refused (jars changed)", false),
    /** Standbys (--standby) starting or waiting warm, off the listener. */
    STANDBYS("standby workers", true),
    /** Standbys that took a dead worker's place. */
    PROMOTIONS("standby promotions", false);

    public static final int TYPE_ID_BASE = 2000;
    /** The master also keeps the totals of exited workers: type id RETIRED_TYPE_ID_BASE + WorkerCounter ordinal. */
    public static final int RETIRED_TYPE_ID_BASE = 3000;
    public static final int COUNT = values().length;

    private final String label;
    private final boolean gauge;

    MasterCounter(final String label, final boolean gauge)
    {
        this.label = label;
        this.gauge = gauge;
    }

    public String label()
    {
        return label;
    }

    public boolean isGauge()
    {
        return gauge;
    }

    public int typeId()
    {
        return TYPE_ID_BASE + ordinal();
    }
}
