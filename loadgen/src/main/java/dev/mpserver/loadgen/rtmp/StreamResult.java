package dev.mpserver.loadgen.rtmp;

import java.util.List;

/**
 * One stream of an RTMP run, for the per-stream breakdown: its publisher and what its players got.
 *
 * @param publisherPid      workerPid the server named for the publisher, 0 if it names none.
 * @param served            players that received a keyframe of the stream.
 * @param gotNothing        player numbers (within the run) that connected but never received a frame of it.
 * @param lossy             player numbers that were served but missed frames after their first keyframe.
 * @param otherWorker       player numbers whose workerPid is not the publisher's (both known).
 */
public record StreamResult(
    int stream,
    String name,
    String vhost,
    boolean publisherLive,
    int publisherPid,
    long videoFramesSent,
    int players,
    int playing,
    int served,
    long framesLost,
    List<Integer> gotNothing,
    List<Integer> lossy,
    List<Integer> otherWorker,
    List<Integer> failed)
{
    public StreamResult
    {
        gotNothing = List.copyOf(gotNothing);
        lossy = List.copyOf(lossy);
        otherWorker = List.copyOf(otherWorker);
        failed = List.copyOf(failed);
    }

    /** @return true when the publisher was live and every player got every frame from its first keyframe on, from the publisher's worker. */
    public boolean verified()
    {
        return publisherLive && served == players && lossy.isEmpty() && otherWorker.isEmpty() && failed.isEmpty();
    }
}
