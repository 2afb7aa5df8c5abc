package dev.mpserver.protocol.rtmp;

/** The {@code code} and {@code level} values of the info objects in {@code _result}, {@code _error} and {@code onStatus}. */
public final class StatusCode
{
    public static final String LEVEL_STATUS = "status";
    public static final String LEVEL_ERROR = "error";
    public static final String LEVEL_WARNING = "warning";

    public static final String CONNECT_SUCCESS = "NetConnection.Connect.Success";
    public static final String CONNECT_REJECTED = "NetConnection.Connect.Rejected";
    public static final String CONNECT_CLOSED = "NetConnection.Connect.Closed";

    public static final String PUBLISH_START = "NetStream.Publish.Start";
    public static final String PUBLISH_BAD_NAME = "NetStream.Publish.BadName";
    public static final String UNPUBLISH_SUCCESS = "NetStream.Unpublish.Success";

    public static final String PLAY_RESET = "NetStream.Play.Reset";
    public static final String PLAY_START = "NetStream.Play.Start";
    public static final String PLAY_STOP = "NetStream.Play.Stop";
    public static final String PLAY_STREAM_NOT_FOUND = "NetStream.Play.StreamNotFound";
    public static final String PLAY_PUBLISH_NOTIFY = "NetStream.Play.PublishNotify";
    public static final String PLAY_UNPUBLISH_NOTIFY = "NetStream.Play.UnpublishNotify";

    /**
     * mpserver's own property of the info object of NetStream.Publish.Start and NetStream.Play.Start:
     * the pid of the worker that serves the stream, which loadgen and the tests read.
     */
    public static final String WORKER_PID = "workerPid";

    /** What FMS answers to connect (ffmpeg's own server says the same). */
    public static final String FMS_VERSION = "FMS/3,0,1,123";
    public static final int FMS_CAPABILITIES = 31;

    private StatusCode()
    {
    }
}
