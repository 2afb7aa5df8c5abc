package dev.mpserver.loadgen.engine;

/**
 * For --verify: per connection, the shard it sent and what its 'I' reply said. Indexed by the run-wide
 * connection index; each index is written by the one engine thread that owns that connection and read
 * only after every engine thread has been joined.
 */
final class VerifyLog
{
    /** Arrays are sized by --conns; this bounds their memory (33 bytes per connection). */
    static final long MAX_CONNS = 50_000_000;

    private final int[] sentShard;
    private final int[] pid;
    private final int[] reportedShard;
    private final int[] clientsOnShard;
    private final boolean[] identified;
    /**
     * Its first reply read, and its 'I' answered (nanoTime): between the two the client was in the
     * worker its 'I' names. Not from its connect: before its first reply it may have waited in the
     * listen backlog or a proxy's queue, or on its way through the master, in no worker yet.
     */
    private final long[] servedAt;
    private final long[] identifiedAt;

    VerifyLog(final long conns)
    {
        if (conns > MAX_CONNS)
        {
            throw new IllegalArgumentException("--verify supports up to " + MAX_CONNS + " connections, got " + conns);
        }
        final int n = (int)conns;
        sentShard = new int[n];
        pid = new int[n];
        reportedShard = new int[n];
        clientsOnShard = new int[n];
        identified = new boolean[n];
        servedAt = new long[n];
        identifiedAt = new long[n];
    }

    void record(
        final long connection, final int sent, final int replyPid, final int replyShard, final int clients, final long served,
        final long identifiedNanos)
    {
        final int i = (int)connection;
        servedAt[i] = served;
        identifiedAt[i] = identifiedNanos;
        sentShard[i] = sent;
        pid[i] = replyPid;
        reportedShard[i] = replyShard;
        clientsOnShard[i] = clients;
        identified[i] = true;
    }

    int size()
    {
        return identified.length;
    }

    boolean identified(final int i)
    {
        return identified[i];
    }

    int sentShard(final int i)
    {
        return sentShard[i];
    }

    int pid(final int i)
    {
        return pid[i];
    }

    int reportedShard(final int i)
    {
        return reportedShard[i];
    }

    int clientsOnShard(final int i)
    {
        return clientsOnShard[i];
    }

    long servedAt(final int i)
    {
        return servedAt[i];
    }

    long identifiedAt(final int i)
    {
        return identifiedAt[i];
    }
}
