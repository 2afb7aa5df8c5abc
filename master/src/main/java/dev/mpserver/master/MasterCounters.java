package dev.mpserver.master;

/** What the master has done; written by the master loop only, published for {@code mpserver stat}. */
public final class MasterCounters
{
    public long rtSignals;
    public long overflows;
    public long rescans;
    public long discardedSignals;
    public long framesIn;
    public long handoffsIn;
    public long handoffsRouted;
    public long handoffsQueued;
    public long handoffsReturned;
    public long handoffsRejected;
    public long fdsLost;
    public long spawns;
    public long spawnFailures;
    public long deaths;
    public long respawnBackoffMs;
    public long shardsExpired;
    public long staleShardGone;

    @Override
    public String toString()
    {
        return "rtSignals=" + rtSignals + " overflows=" + overflows + " rescans=" + rescans +
            " discarded=" + discardedSignals + " framesIn=" + framesIn + " handoffsIn=" + handoffsIn +
            " routed=" + handoffsRouted + " queued=" + handoffsQueued + " returned=" + handoffsReturned +
            " rejected=" + handoffsRejected + " fdsLost=" + fdsLost + " spawns=" + spawns +
            " spawnFailures=" + spawnFailures + " deaths=" + deaths + " backoffMs=" + respawnBackoffMs +
            " shardsExpired=" + shardsExpired + " staleShardGone=" + staleShardGone;
    }
}
