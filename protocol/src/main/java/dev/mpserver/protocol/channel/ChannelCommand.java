package dev.mpserver.protocol.channel;

/** The {@code command} field of a {@link ChannelFrame}. Values are wire format: never renumber. */
public final class ChannelCommand
{
    /** worker → master: serving; {@code pid}, {@code load} = clients. */
    public static final int READY = 1;
    /** worker → master: load report; {@code load} = clients, {@code shardId} = shards served. */
    public static final int LOAD = 2;
    /** + fd, both ways: worker → master "route this client of shard-id"; master → worker "serve it". */
    public static final int HANDOFF = 3;
    /**
     * + fd, worker → master: "I cannot take this client" (full or draining); {@code load} = clients
     * of the shard still here. 0 lets the master move the shard; the worker then returns every
     * client of it until SHARD_MOVED says no more are on their way.
     */
    public static final int RETURN = 4;
    /** worker → master: the last client of {@code shardId} left. */
    public static final int SHARD_GONE = 5;
    /** master → worker: stop accepting, finish clients, exit. */
    public static final int QUIT = 6;
    /** master → worker: exit now. */
    public static final int QUIT_NOW = 7;
    /**
     * master → worker: the shard this worker returned as empty now belongs elsewhere; sent after
     * every HANDOFF of it the master had forwarded here, so none of those is still on its way.
     */
    public static final int SHARD_MOVED = 8;
    /** + fd, master → worker: the reopened log file; the worker makes it its stderr (fd 2). */
    public static final int REOPEN = 9;
    /**
     * worker → master: warmed up (its own synthetic clients served after READY); until then the
     * master gives new shards to warm workers first, and a start or reload waits for it.
     */
    public static final int WARM = 10;
    /**
     * master → worker: a standby worker ({@code WorkerConfig#standby}) takes clients from the
     * shared listener from now on, once its warm-up is done: a worker it stood by for died or is
     * being recycled.
     */
    public static final int PROMOTE = 11;

    private ChannelCommand()
    {
    }

    public static String name(final int command)
    {
        switch (command)
        {
            case READY: return "READY";
            case LOAD: return "LOAD";
            case HANDOFF: return "HANDOFF";
            case RETURN: return "RETURN";
            case SHARD_GONE: return "SHARD_GONE";
            case QUIT: return "QUIT";
            case QUIT_NOW: return "QUIT_NOW";
            case SHARD_MOVED: return "SHARD_MOVED";
            case REOPEN: return "REOPEN";
            case WARM: return "WARM";
            case PROMOTE: return "PROMOTE";
            default: return "UNKNOWN(" + command + ")";
        }
    }
}
