package dev.mpserver.worker.session.rtmp;

import java.util.HashMap;
import java.util.Map;

import dev.mpserver.protocol.launch.RtmpSettings;
import dev.mpserver.worker.client.ClientTable;

/**
 * The live streams of one worker, by key (vhost/app/stream), and each RTMP client's part in one:
 * publisher, player or none. A stream's players are a doubly linked list threaded through per-slot
 * arrays, so joining, leaving and relaying allocate nothing; a stream object is made when its first
 * client arrives and dropped (its GOP cache memory given back) when its last one leaves. No stream
 * is ever copied to another worker: its clients come here.
 *
 * <pre>
 *   "v1/live/s1" ─▶ LiveStream { publisher: slot 4, firstPlayer: slot 9 }    9 ⇄ 12 ⇄ 3   (nextPlayer/prevPlayer)
 * </pre>
 */
final class LiveStreams
{
    static final byte NO_ROLE = 0;
    static final byte PUBLISHER = 1;
    static final byte PLAYER = 2;

    private final Map<String, LiveStream> byKey = new HashMap<>();
    private final GopCache.Budget budget;
    private final RtmpSettings settings;
    private final LiveStream[] streamOf;
    private final byte[] role;
    private final int[] nextPlayer;
    private final int[] prevPlayer;
    /** A player that gets no frame before the next keyframe (it joined without a GOP, or fell behind). */
    private final boolean[] awaitingKeyFrame;
    private int publishers;
    private int players;

    LiveStreams(final int capacity, final RtmpSettings settings)
    {
        this.settings = settings;
        this.budget = new GopCache.Budget(settings.isGopCacheOn() ? settings.gopCacheTotalBytes : 0);
        streamOf = new LiveStream[capacity];
        role = new byte[capacity];
        nextPlayer = new int[capacity];
        prevPlayer = new int[capacity];
        awaitingKeyFrame = new boolean[capacity];
    }

    /** The stream named {@code key}, made if it has no client yet. */
    LiveStream acquire(final String key, final String shardKey, final int shardId)
    {
        LiveStream stream = byKey.get(key);
        if (null == stream)
        {
            stream = new LiveStream(key, shardKey, shardId,
                new GopCache(budget, settings.isGopCacheOn() ? settings.gopCacheBytes : 0, settings.gopCacheFrames));
            byKey.put(key, stream);
        }
        return stream;
    }

    /** Drops the stream if no client uses it any more. */
    void releaseIfUnused(final LiveStream stream)
    {
        if (stream.isUnused() && byKey.remove(stream.key) == stream)
        {
            stream.gop.release();
        }
    }

    /** {@code slot} publishes {@code stream}, which has no publisher. */
    void publish(final int slot, final LiveStream stream)
    {
        stream.publisher = slot;
        streamOf[slot] = stream;
        role[slot] = PUBLISHER;
        publishers++;
    }

    /** The publisher stops (the stream stays while it has players). @return its stream */
    LiveStream unpublish(final int slot)
    {
        final LiveStream stream = streamOf[slot];
        stream.publisher = ClientTable.NONE;
        stream.forgetMedia();
        forget(slot);
        publishers--;
        return stream;
    }

    /** {@code slot} plays {@code stream}, at the head of its player list. */
    void play(final int slot, final LiveStream stream)
    {
        final int head = stream.firstPlayer;
        prevPlayer[slot] = ClientTable.NONE;
        nextPlayer[slot] = head;
        if (head != ClientTable.NONE)
        {
            prevPlayer[head] = slot;
        }
        stream.firstPlayer = slot;
        stream.players++;
        streamOf[slot] = stream;
        role[slot] = PLAYER;
        awaitingKeyFrame[slot] = false;
        players++;
    }

    /** The player stops. @return its stream */
    LiveStream stopPlaying(final int slot)
    {
        final LiveStream stream = streamOf[slot];
        final int prev = prevPlayer[slot];
        final int next = nextPlayer[slot];
        if (prev != ClientTable.NONE)
        {
            nextPlayer[prev] = next;
        }
        else
        {
            stream.firstPlayer = next;
        }
        if (next != ClientTable.NONE)
        {
            prevPlayer[next] = prev;
        }
        stream.players--;
        forget(slot);
        players--;
        return stream;
    }

    private void forget(final int slot)
    {
        streamOf[slot] = null;
        role[slot] = NO_ROLE;
        nextPlayer[slot] = ClientTable.NONE;
        prevPlayer[slot] = ClientTable.NONE;
    }

    byte role(final int slot)
    {
        return role[slot];
    }

    LiveStream streamOf(final int slot)
    {
        return streamOf[slot];
    }

    int nextPlayer(final int slot)
    {
        return nextPlayer[slot];
    }

    boolean isAwaitingKeyFrame(final int slot)
    {
        return awaitingKeyFrame[slot];
    }

    void awaitKeyFrame(final int slot, final boolean awaiting)
    {
        awaitingKeyFrame[slot] = awaiting;
    }

    int publishers()
    {
        return publishers;
    }

    int players()
    {
        return players;
    }

    int streams()
    {
        return byKey.size();
    }

    long gopCacheBytes()
    {
        return budget.used();
    }

    /** Every stream (for the once-a-second hot-key report; iterating allocates). */
    Iterable<LiveStream> all()
    {
        return byKey.values();
    }
}
