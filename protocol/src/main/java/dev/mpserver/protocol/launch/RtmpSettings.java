package dev.mpserver.protocol.launch;

import dev.mpserver.protocol.rtmp.ShardBy;

/**
 * The RTMP settings of a worker ({@code mpserver --shard-by --gop-cache --gop-cache-frames
 * --gop-cache-total}), fixed at start.
 */
public final class RtmpSettings
{
    /** Per stream: 4 MiB holds a 4 s GOP at 8 Mbit/s. */
    public static final int DEFAULT_GOP_CACHE_BYTES = 4 * 1024 * 1024;
    /** Per stream: 20 s of video at 30 fps. */
    public static final int DEFAULT_GOP_CACHE_FRAMES = 600;
    /** Per worker: every stream's GOP cache together. */
    public static final long DEFAULT_GOP_CACHE_TOTAL_BYTES = 256L * 1024 * 1024;

    public static final RtmpSettings DEFAULTS = new RtmpSettings(
        ShardBy.VHOST, DEFAULT_GOP_CACHE_BYTES, DEFAULT_GOP_CACHE_FRAMES, DEFAULT_GOP_CACHE_TOTAL_BYTES);

    /** Which part of vhost/app/stream is the shard key. */
    public final ShardBy shardBy;
    /** Most bytes one stream's GOP cache holds; 0 turns the cache off. */
    public final int gopCacheBytes;
    /** Most video frames one stream's GOP cache holds. */
    public final int gopCacheFrames;
    /** Most bytes all GOP caches of a worker hold together. */
    public final long gopCacheTotalBytes;

    /** @throws IllegalArgumentException naming the setting that is out of range */
    public RtmpSettings(final ShardBy shardBy, final int gopCacheBytes, final int gopCacheFrames, final long gopCacheTotalBytes)
    {
        if (null == shardBy)
        {
            throw new IllegalArgumentException("--shard-by must be one of vhost, app, stream");
        }
        if (gopCacheBytes < 0 || gopCacheFrames < 1 || gopCacheTotalBytes < 0)
        {
            throw new IllegalArgumentException("--gop-cache and --gop-cache-total must be >= 0 bytes, --gop-cache-frames >= 1");
        }
        this.shardBy = shardBy;
        this.gopCacheBytes = gopCacheBytes;
        this.gopCacheFrames = gopCacheFrames;
        this.gopCacheTotalBytes = gopCacheTotalBytes;
    }

    /** True if streams keep their last GOP for new players. */
    public boolean isGopCacheOn()
    {
        return gopCacheBytes > 0 && gopCacheTotalBytes > 0;
    }

    @Override
    public String toString()
    {
        return "shard-by " + shardBy.optionValue() + ", GOP cache " + gopCacheBytes + " bytes / " + gopCacheFrames +
            " frames per stream, " + gopCacheTotalBytes + " bytes per worker";
    }
}
