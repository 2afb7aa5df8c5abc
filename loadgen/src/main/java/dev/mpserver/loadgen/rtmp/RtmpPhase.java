package dev.mpserver.loadgen.rtmp;

/** Where in its life an RTMP client was when it failed or was cut off. */
public enum RtmpPhase
{
    /** TCP connect not yet complete. */
    CONNECT("connect"),
    /** C0+C1 sent; S0+S1+S2 not yet all received. */
    HANDSHAKE("handshake"),
    /** The {@code connect} command sent; its {@code _result} not yet received. */
    NET_CONNECTION("netconnection"),
    /** {@code createStream} sent; its {@code _result} not yet received. */
    CREATE_STREAM("create-stream"),
    /** {@code publish} or {@code play} sent; onStatus Publish.Start or Play.Start not yet received. */
    START("start"),
    /** Player: Play.Start received, no keyframe of its stream yet. */
    FIRST_FRAME("first-frame"),
    /** Publishing, or playing after the first keyframe. */
    STREAMING("streaming");

    private final String label;

    RtmpPhase(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
