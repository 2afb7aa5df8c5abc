package dev.mpserver.worker.session.rtmp;

import dev.mpserver.worker.client.ClientTable;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * One live stream in the worker that owns its shard: at most one publisher, any number of players
 * (a list threaded through {@link LiveStreams}' per-slot arrays), and what a player joining now
 * needs before the next frame: the metadata, the video and audio sequence headers, and the GOP
 * since the last keyframe. All of it is kept as the chunked bytes players receive (chunk size,
 * chunk stream ids and message stream id are the same for every player, see {@link LiveRelay}),
 * so a join is a few copies.
 */
final class LiveStream
{
    private static final int INITIAL_HEADER = 256;

    /** vhost/app/stream: how the registry and {@code mpserver stat} name it. */
    final String key;
    /** The shard its clients route to, and that shard's key as text (vhost, vhost/app or the stream's key). */
    final int shardId;
    final String shardKey;
    final GopCache gop;

    int publisher = ClientTable.NONE;
    int firstPlayer = ClientTable.NONE;
    int players;
    /** Video has been seen since the publisher started: players then start at keyframes. */
    boolean hasVideo;

    private final ExpandableDirectByteBuffer metadata = new ExpandableDirectByteBuffer(INITIAL_HEADER);
    private final ExpandableDirectByteBuffer videoHeader = new ExpandableDirectByteBuffer(INITIAL_HEADER);
    private final ExpandableDirectByteBuffer audioHeader = new ExpandableDirectByteBuffer(INITIAL_HEADER);
    private int metadataLength;
    private int videoHeaderLength;
    private int audioHeaderLength;

    /** Media bytes in from the publisher, and chunked bytes out to players, for the hot-key rates. */
    long bytesIn;
    long bytesOut;
    long reportedBytesIn;
    long reportedBytesOut;

    LiveStream(final String key, final String shardKey, final int shardId, final GopCache gop)
    {
        this.key = key;
        this.shardKey = shardKey;
        this.shardId = shardId;
        this.gop = gop;
    }

    boolean isPublished()
    {
        return publisher != ClientTable.NONE;
    }

    boolean isUnused()
    {
        return publisher == ClientTable.NONE && 0 == players;
    }

    void metadata(final DirectBuffer chunked, final int offset, final int length)
    {
        metadata.putBytes(0, chunked, offset, length);
        metadataLength = length;
    }

    void videoHeader(final DirectBuffer chunked, final int offset, final int length)
    {
        videoHeader.putBytes(0, chunked, offset, length);
        videoHeaderLength = length;
    }

    void audioHeader(final DirectBuffer chunked, final int offset, final int length)
    {
        audioHeader.putBytes(0, chunked, offset, length);
        audioHeaderLength = length;
    }

    DirectBuffer metadata()
    {
        return metadata;
    }

    int metadataLength()
    {
        return metadataLength;
    }

    DirectBuffer videoHeader()
    {
        return videoHeader;
    }

    int videoHeaderLength()
    {
        return videoHeaderLength;
    }

    DirectBuffer audioHeader()
    {
        return audioHeader;
    }

    int audioHeaderLength()
    {
        return audioHeaderLength;
    }

    /** The publisher left or a new one starts: what a new player needs is the next publisher's. */
    void forgetMedia()
    {
        metadataLength = 0;
        videoHeaderLength = 0;
        audioHeaderLength = 0;
        hasVideo = false;
        gop.clear();
    }

    /** Clears metadata only ({@code @clearDataFrame}). */
    void clearMetadata()
    {
        metadataLength = 0;
    }
}
