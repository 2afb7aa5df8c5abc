package dev.mpserver.loadgen.rtmp;

/** The latency figures of an RTMP run, each its own HdrHistogram (nanoseconds). */
public enum RtmpLatency
{
    /** connect() → TCP connected, publishers and players. */
    CONNECT("connect"),
    /** Publisher: connect() → onStatus NetStream.Publish.Start. */
    PUBLISH_START("publish start"),
    /** Player: start (intended arrival with --rate, else connect()) → onStatus NetStream.Play.Start. */
    PLAY_START("play start"),
    /** Player: start (intended arrival with --rate, else connect()) → its first keyframe whole: time to first frame. */
    FIRST_FRAME("time to first frame"),
    /** Player: Play.Start → first keyframe whole (what the server's GOP cache saves). */
    PLAY_TO_FIRST_FRAME("play start → first frame"),
    /**
     * Each live video frame: the publisher's intended send time → received whole by a player. Frames
     * intended before the player's Play.Start (the GOP cache's catch-up) are counted, not timed.
     */
    RELAY("relay (intended send → received)");

    private final String label;

    RtmpLatency(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
