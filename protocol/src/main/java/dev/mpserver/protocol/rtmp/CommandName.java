package dev.mpserver.protocol.rtmp;

/**
 * Names of the commands (types 20 and 17) and data messages (type 18) a live RTMP server and its
 * clients exchange, as ffmpeg, OBS, nginx-rtmp and SRS spell them.
 */
public final class CommandName
{
    // Client → server, NetConnection (message stream 0).
    public static final String CONNECT = "connect";
    public static final String CREATE_STREAM = "createStream";
    public static final String RELEASE_STREAM = "releaseStream";
    public static final String FC_PUBLISH = "FCPublish";
    public static final String FC_UNPUBLISH = "FCUnpublish";
    public static final String FC_SUBSCRIBE = "FCSubscribe";
    public static final String DELETE_STREAM = "deleteStream";
    public static final String GET_STREAM_LENGTH = "getStreamLength";
    public static final String CHECK_BANDWIDTH = "_checkbw";

    // Client → server, NetStream (the stream id createStream returned).
    public static final String PUBLISH = "publish";
    public static final String PLAY = "play";
    public static final String CLOSE_STREAM = "closeStream";
    public static final String PAUSE = "pause";
    public static final String SEEK = "seek";

    // Server → client.
    public static final String RESULT = "_result";
    public static final String ERROR = "_error";
    public static final String ON_STATUS = "onStatus";
    public static final String ON_BW_DONE = "onBWDone";
    public static final String ON_FC_PUBLISH = "onFCPublish";
    public static final String ON_FC_UNPUBLISH = "onFCUnpublish";

    // Data messages (type 18).
    public static final String SET_DATA_FRAME = "@setDataFrame";
    public static final String ON_METADATA = "onMetaData";
    public static final String SAMPLE_ACCESS = "|RtmpSampleAccess";

    private CommandName()
    {
    }
}
