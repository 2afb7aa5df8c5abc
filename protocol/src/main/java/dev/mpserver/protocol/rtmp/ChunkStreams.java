package dev.mpserver.protocol.rtmp;

import org.agrona.collections.Int2ObjectHashMap;

import java.util.Arrays;

/**
 * The incoming chunk streams of one connection by chunk stream id, at most {@link #max()} of them:
 * what a peer can make a reader remember is bounded here. Ids 2..63, the ones clients and servers
 * use, are found without hashing.
 */
public final class ChunkStreams
{
    private final ChunkStream[] low = new ChunkStream[ChunkHeader.MAX_ONE_BYTE_CSID + 1];
    private final Int2ObjectHashMap<ChunkStream> high = new Int2ObjectHashMap<>();
    private final int max;
    private int count;

    /** @param max most chunk streams a peer may use, at least 1. */
    public ChunkStreams(final int max)
    {
        if (max < 1)
        {
            throw new IllegalArgumentException("max chunk streams must be >= 1");
        }
        this.max = max;
    }

    /** @return the chunk stream {@code csid}, or null if the peer has not used it. */
    public ChunkStream find(final int csid)
    {
        return csid >= 0 && csid < low.length ? low[csid] : high.get(csid); // an Abort may name any u32
    }

    /** @return a new chunk stream {@code csid}, or null when the peer already uses {@link #max()}. */
    ChunkStream add(final int csid)
    {
        if (count >= max)
        {
            return null;
        }
        final ChunkStream stream = new ChunkStream(csid);
        if (csid < low.length)
        {
            low[csid] = stream;
        }
        else
        {
            high.put(csid, stream);
        }
        count++;
        return stream;
    }

    /** @return chunk streams the peer has used. */
    public int count()
    {
        return count;
    }

    public int max()
    {
        return max;
    }

    /** Forget every chunk stream, for a new connection. */
    public void clear()
    {
        Arrays.fill(low, null);
        high.clear();
        count = 0;
    }
}
