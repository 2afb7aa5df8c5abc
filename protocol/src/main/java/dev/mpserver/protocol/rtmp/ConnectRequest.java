package dev.mpserver.protocol.rtmp;

import java.util.Map;

/**
 * What a client's {@code connect} says about where it wants to go: the command object's
 * {@code app}, {@code tcUrl}, {@code flashVer} and {@code objectEncoding}, as sent (queries
 * included; {@link StreamKey} interprets them).
 *
 * <pre>
 * ffmpeg rtmp://host:1935/live/s1           app "live"           tcUrl "rtmp://host:1935/live"
 * ffmpeg rtmp://host/live/s1?vhost=v1       app "live"           tcUrl "rtmp://host:1935/live"   (query on the stream name)
 * OBS    server rtmp://host/live?vhost=v1   app "live?vhost=v1"  tcUrl "rtmp://host/live?vhost=v1"
 * </pre>
 *
 * @param app            the application, "" when absent.
 * @param tcUrl          the target URL, null when absent.
 * @param flashVer       the client's version string, null when absent.
 * @param objectEncoding 0 for AMF0 (ffmpeg, OBS), 3 for AMF3; 0 when absent.
 */
public record ConnectRequest(String app, String tcUrl, String flashVer, double objectEncoding)
{
    /** @return the request of a decoded {@code connect}; fields it lacks are "" (app), null or 0. */
    public static ConnectRequest of(final RtmpCommand connect)
    {
        final Object object = connect.commandObject();
        final String app = connect.commandObjectString("app");
        final Object encoding = object instanceof Map ? ((Map<?, ?>)object).get("objectEncoding") : null;
        return new ConnectRequest(
            null == app ? "" : app,
            connect.commandObjectString("tcUrl"),
            connect.commandObjectString("flashVer"),
            encoding instanceof Double ? (Double)encoding : 0);
    }
}
