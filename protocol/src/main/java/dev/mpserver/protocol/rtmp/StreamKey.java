package dev.mpserver.protocol.rtmp;

/**
 * Where an RTMP client belongs: vhost, app and stream, resolved as SRS resolves them, and the shard
 * key and id derived from them.
 *
 * <h2>Vhost</h2>
 * The first of: {@code ?vhost=NAME} in the stream name, in the app, in the tcUrl's query; the host
 * of the tcUrl; {@value #DEFAULT_VHOST}. Lower case (host names are). A vhost in the stream name is
 * only known at publish/play: a session that routes by vhost at connect routes again if the stream
 * name names another vhost ({@link #resolve} with the stream name tells).
 *
 * <p>Note what "the host of the tcUrl" means for users: rtmp://127.0.0.1/live and
 * rtmp://localhost/live are two vhosts, so a publisher and its players must use the same host name
 * (or ?vhost=). SRS maps hosts it has no vhost configured for to {@value #DEFAULT_VHOST}; this class
 * has no configuration and keeps the host.
 *
 * <h2>App and stream</h2>
 * Without their queries (the identity of a stream does not include its token), the app without
 * leading/trailing '/' and without FMLE's {@code /_definst_}; an app that is empty in connect is
 * taken from the tcUrl's path.
 *
 * <h2>Shard key</h2>
 * {@code vhost}, {@code vhost/app} or {@code vhost/app/stream} ({@link ShardBy}); its id is
 * {@link ShardHash#of} the key, the same in every process and run.
 *
 * @param vhost  resolved vhost, never null.
 * @param app    app without query, "" if none.
 * @param stream stream name without query, null before publish/play.
 */
public record StreamKey(String vhost, String app, String stream)
{
    public static final String DEFAULT_VHOST = "__defaultVhost__";

    private static final String DEFINST_SUFFIX = "/_definst_";
    private static final char SEPARATOR = '/';

    /** @return the key of a client that sent this connect and (once known, else null) this publish/play name. */
    public static StreamKey resolve(final ConnectRequest connect, final String streamName)
    {
        return resolve(connect.tcUrl(), connect.app(), streamName);
    }

    /**
     * @param tcUrl      connect's tcUrl, may be null.
     * @param app        connect's app as sent, may be null.
     * @param streamName publish's or play's stream name as sent, null before them.
     */
    public static StreamKey resolve(final String tcUrl, final String app, final String streamName)
    {
        final String rawApp = null == app ? "" : app;
        String vhost = RtmpUrl.queryVhost(streamName);
        if (null == vhost)
        {
            vhost = RtmpUrl.queryVhost(rawApp);
        }
        if (null == vhost)
        {
            vhost = RtmpUrl.queryVhost(tcUrl);
        }
        if (null == vhost)
        {
            vhost = RtmpUrl.host(tcUrl);
        }
        if (null == vhost)
        {
            vhost = DEFAULT_VHOST;
        }

        String appName = RtmpUrl.trimSlashes(RtmpUrl.withoutQuery(rawApp));
        if (appName.endsWith(DEFINST_SUFFIX))
        {
            appName = RtmpUrl.trimSlashes(appName.substring(0, appName.length() - DEFINST_SUFFIX.length()));
        }
        if (appName.isEmpty())
        {
            appName = RtmpUrl.path(tcUrl);
        }

        return new StreamKey(vhost, appName, null == streamName ? null : RtmpUrl.withoutQuery(streamName));
    }

    /**
     * @return the shard key as text ({@code mpserver stat} shows it): vhost, vhost/app or vhost/app/stream.
     * @throws IllegalStateException for {@link ShardBy#STREAM} before the stream is known.
     */
    public String shardKey(final ShardBy granularity)
    {
        switch (granularity)
        {
            case VHOST:
                return vhost;
            case APP:
                return vhost + SEPARATOR + app;
            default:
                if (null == stream)
                {
                    throw new IllegalStateException("the stream is not known before publish or play");
                }
                return vhost + SEPARATOR + app + SEPARATOR + stream;
        }
    }

    /** @return the shard id: {@link ShardHash#of} {@link #shardKey}. */
    public int shardId(final ShardBy granularity)
    {
        return ShardHash.of(shardKey(granularity));
    }

    /** @return app/stream, the name a live relay knows a stream by within its vhost. */
    public String streamPath()
    {
        return app + SEPARATOR + (null == stream ? "" : stream);
    }
}
