package dev.mpserver.loadgen.rtmp;

/**
 * One row of the routing table: what the server said one worker served (workerPid of Publish.Start
 * and Play.Start). pid 0 collects the clients of a server that names no worker (nginx-rtmp, SRS).
 */
public record WorkerRoute(int pid, int publishers, int players, int streams, int playersServed)
{
}
