package dev.mpserver.loadgen.rtmp;

import java.util.Arrays;

/**
 * What each client of one role (publishers, or players) did, indexed by its number in the run: the
 * per-player breakdown of the report. Each index is written only by the engine thread that owns the
 * client and read after every engine thread has been joined. Primitive arrays: a few dozen bytes a
 * client, whatever the run's length.
 */
public final class ClientRecords
{
    public static final byte NOT_STARTED = 0;
    public static final byte OK = 1;
    public static final byte FAILED = 2;
    public static final byte CUT_OFF = 3;

    public static final int NONE = -1;

    final byte[] outcome;
    /** Phase reached (ordinal of {@link RtmpPhase}); for a failed or cut-off client, where it ended. */
    final byte[] phase;
    /** Ordinal of {@link RtmpFailure}, for failed clients. */
    final byte[] failure;
    /** workerPid from the server's Publish.Start / Play.Start info object, 0 when it sent none. */
    final int[] workerPid;
    final int[] localPort;
    /** Video frames: sent (publisher), received of its own stream (player). */
    final int[] videoFrames;
    final int[] audioFrames;
    /** Player: seq of the first keyframe received, or NONE. */
    final int[] firstKeySeq;
    /** Player: highest video seq received; publisher: last video seq sent (NONE if none). */
    final int[] highestSeq;
    final int[] framesBeforeKey;
    /** Player: video frames missing after its first keyframe, gaps plus the tail not received by the end. */
    final int[] lost;
    final int[] gaps;
    final int[] reordered;
    final int[] audioLost;
    final int[] foreign;
    /** Publisher: connect() → Publish.Start; player: time to first frame. Nanoseconds, NONE if never. */
    final long[] firstFrameNanos;
    /** Player: start → Play.Start, nanoseconds, NONE if never. */
    final long[] startNanos;
    final long[] bytesRead;

    ClientRecords(final int clients)
    {
        outcome = new byte[clients];
        phase = new byte[clients];
        failure = new byte[clients];
        workerPid = new int[clients];
        localPort = new int[clients];
        videoFrames = new int[clients];
        audioFrames = new int[clients];
        firstKeySeq = new int[clients];
        highestSeq = new int[clients];
        framesBeforeKey = new int[clients];
        lost = new int[clients];
        gaps = new int[clients];
        reordered = new int[clients];
        audioLost = new int[clients];
        foreign = new int[clients];
        firstFrameNanos = new long[clients];
        startNanos = new long[clients];
        bytesRead = new long[clients];
        Arrays.fill(firstKeySeq, NONE);
        Arrays.fill(highestSeq, NONE);
        Arrays.fill(firstFrameNanos, NONE);
        Arrays.fill(startNanos, NONE);
    }

    public int size()
    {
        return outcome.length;
    }
}
