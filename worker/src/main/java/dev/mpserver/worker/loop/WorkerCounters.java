package dev.mpserver.worker.loop;

/**
 * What one worker loop has done. Plain fields written by the loop thread only; a later change
 * publishes them in the mapped counters file for {@code mpserver stat}.
 */
public final class WorkerCounters
{
    public long accepts;
    public long acceptErrors;
    public long clientsClosed;
    public long messages;
    public long identifies;
    public long broadcasts;
    public long broadcastDeliveries;
    public long protocolErrors;
    public long idleTimeouts;
    public long slowReadersCut;
    public long handoffsOut;
    public long handoffsIn;
    public long handoffsRejected;
    public long returns;
    public long fdsLost;
    public long resets;

    @Override
    public String toString()
    {
        return "accepts=" + accepts + " acceptErrors=" + acceptErrors + " closed=" + clientsClosed +
            " messages=" + messages + " identifies=" + identifies + " broadcasts=" + broadcasts +
            " deliveries=" + broadcastDeliveries + " protocolErrors=" + protocolErrors +
            " idleTimeouts=" + idleTimeouts + " slowReadersCut=" + slowReadersCut +
            " handoffsOut=" + handoffsOut + " handoffsIn=" + handoffsIn + " handoffsRejected=" + handoffsRejected +
            " returns=" + returns + " fdsLost=" + fdsLost + " resets=" + resets;
    }
}
