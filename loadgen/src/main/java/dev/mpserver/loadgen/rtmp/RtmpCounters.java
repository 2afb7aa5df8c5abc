package dev.mpserver.loadgen.rtmp;

/**
 * Indices of an RTMP run's counters, one {@code long} each per engine thread, summed over threads.
 *
 * <pre>
 * 0 ………………… SIMPLE_COUNT-1                          one counter each, named below
 * FAILURE_BASE + role·PHASES·KINDS + phase·KINDS + kind  failed clients by role (0 publisher, 1 player), phase, kind
 * CUT_OFF_BASE + role·PHASES + phase                     clients open at the end before streaming, by role and phase
 * </pre>
 */
public final class RtmpCounters
{
    public static final int PUBLISHERS_STARTED = 0;
    /** Publishers that received Publish.Start. */
    public static final int PUBLISHERS_LIVE = PUBLISHERS_STARTED + 1;
    public static final int PUBLISHERS_FAILED = PUBLISHERS_LIVE + 1;
    public static final int PLAYERS_STARTED = PUBLISHERS_FAILED + 1;
    public static final int PLAYERS_CONNECTED = PLAYERS_STARTED + 1;
    /** Players that received Play.Start. */
    public static final int PLAYERS_PLAYING = PLAYERS_CONNECTED + 1;
    /** Players that received a keyframe of their stream. */
    public static final int PLAYERS_SERVED = PLAYERS_PLAYING + 1;
    public static final int PLAYERS_FAILED = PLAYERS_SERVED + 1;
    public static final int VIDEO_FRAMES_SENT = PLAYERS_FAILED + 1;
    public static final int AUDIO_FRAMES_SENT = VIDEO_FRAMES_SENT + 1;
    public static final int VIDEO_FRAMES_RECEIVED = AUDIO_FRAMES_SENT + 1;
    public static final int AUDIO_FRAMES_RECEIVED = VIDEO_FRAMES_RECEIVED + 1;
    /** Video frames a player received before its first keyframe (undecodable; not loss). */
    public static final int FRAMES_BEFORE_KEYFRAME = AUDIO_FRAMES_RECEIVED + 1;
    /** Frames received from the GOP cache: intended before the player's Play.Start. */
    public static final int CACHED_FRAMES = FRAMES_BEFORE_KEYFRAME + 1;
    /** Video frames missing in gaps after a player's first keyframe (reordered ones that came late are taken back). */
    public static final int FRAMES_LOST = CACHED_FRAMES + 1;
    public static final int GAPS = FRAMES_LOST + 1;
    /** Video frames that arrived after a later one. */
    public static final int REORDERED = GAPS + 1;
    public static final int AUDIO_FRAMES_LOST = REORDERED + 1;
    /** Media stamped by loadgen for another stream than the player's: the server mixed streams up. */
    public static final int FOREIGN_FRAMES = AUDIO_FRAMES_LOST + 1;
    /** Media without loadgen's stamp (not a sequence header): another publisher's media. */
    public static final int UNSTAMPED_FRAMES = FOREIGN_FRAMES + 1;
    public static final int SEQUENCE_HEADERS = UNSTAMPED_FRAMES + 1;
    public static final int BYTES_WRITTEN = SEQUENCE_HEADERS + 1;
    public static final int BYTES_READ = BYTES_WRITTEN + 1;
    /** Bytes of audio and video message bodies players received. */
    public static final int MEDIA_BYTES_RECEIVED = BYTES_READ + 1;
    public static final int ACKS_SENT = MEDIA_BYTES_RECEIVED + 1;
    public static final int PINGS_ANSWERED = ACKS_SENT + 1;
    /** onStatus PublishNotify / UnpublishNotify received by players. */
    public static final int PUBLISH_NOTIFIES = PINGS_ANSWERED + 1;
    public static final int UNPUBLISH_NOTIFIES = PUBLISH_NOTIFIES + 1;
    /** Frames a publisher generated late because the server did not take its bytes in time. */
    public static final int FRAMES_SENT_LATE = UNPUBLISH_NOTIFIES + 1;
    private static final int SIMPLE_COUNT = FRAMES_SENT_LATE + 1;

    public static final int ROLES = 2;
    public static final int PUBLISHER = 0;
    public static final int PLAYER = 1;
    public static final int PHASES = RtmpPhase.values().length;
    public static final int KINDS = RtmpFailure.values().length;

    public static final int FAILURE_BASE = SIMPLE_COUNT;
    public static final int CUT_OFF_BASE = FAILURE_BASE + ROLES * PHASES * KINDS;
    public static final int LENGTH = CUT_OFF_BASE + ROLES * PHASES;

    private RtmpCounters()
    {
    }

    public static int failure(final int role, final RtmpPhase phase, final RtmpFailure kind)
    {
        return FAILURE_BASE + (role * PHASES + phase.ordinal()) * KINDS + kind.ordinal();
    }

    public static int cutOff(final int role, final RtmpPhase phase)
    {
        return CUT_OFF_BASE + role * PHASES + phase.ordinal();
    }
}
