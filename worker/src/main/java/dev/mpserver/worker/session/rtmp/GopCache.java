package dev.mpserver.worker.session.rtmp;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One stream's media since its last video keyframe, as the chunked bytes every player gets (so a
 * new player receives it with one copy and starts decoding at once, as SRS's GOP cache does).
 *
 * <pre>
 *   keyframe ─▶ [K a a P a P a P ...]   new keyframe: start over   too many bytes/frames: off until the next keyframe
 * </pre>
 *
 * Bounded per stream in bytes and in video frames, and per worker by a {@link Budget} shared by
 * every stream: memory is taken from the budget as the buffer grows and given back when the stream
 * goes. A stream whose GOP does not fit caches nothing until its next keyframe (new players then
 * wait for that keyframe). Audio before the first keyframe is not kept: a player cannot use it.
 *
 * <p>Off-heap, so that a joining player's socket is written straight from it; freed at once when
 * it grows or its stream goes (not when a GC happens to find the old buffer).
 */
final class GopCache
{
    /** The bytes every GOP cache of a worker may hold together. */
    static final class Budget
    {
        private final long limit;
        private long used;

        Budget(final long limit)
        {
            this.limit = limit;
        }

        boolean take(final long bytes)
        {
            if (used + bytes > limit)
            {
                return false;
            }
            used += bytes;
            return true;
        }

        void giveBack(final long bytes)
        {
            used -= bytes;
        }

        long used()
        {
            return used;
        }
    }

    private static final int MIN_CAPACITY = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private final Budget budget;
    private final int maxBytes;
    private final int maxFrames;
    private final UnsafeBuffer bytes = new UnsafeBuffer(EMPTY);
    private int length;
    private int frames;
    private boolean valid;

    /** @param maxBytes 0: the cache is off */
    GopCache(final Budget budget, final int maxBytes, final int maxFrames)
    {
        this.budget = budget;
        this.maxBytes = maxBytes;
        this.maxFrames = maxFrames;
    }

    /**
     * One media message as chunked bytes.
     *
     * @param video      a video message (they count against the frame bound)
     * @param keyFrame   a video keyframe: the cache starts over with it
     */
    void add(final DirectBuffer chunked, final int offset, final int chunkedLength, final boolean video, final boolean keyFrame)
    {
        if (0 == maxBytes)
        {
            return;
        }
        if (keyFrame)
        {
            length = 0;
            frames = 0;
            valid = true;
        }
        if (!valid)
        {
            return;
        }
        if ((video && frames == maxFrames) || length + chunkedLength > maxBytes || !ensureCapacity(length + chunkedLength))
        {
            clear();
            return;
        }
        bytes.putBytes(length, chunked, offset, chunkedLength);
        length += chunkedLength;
        frames += video ? 1 : 0;
    }

    /** True if the cache holds a GOP from its keyframe on. */
    boolean hasGop()
    {
        return valid && length > 0;
    }

    DirectBuffer bytes()
    {
        return bytes;
    }

    int length()
    {
        return length;
    }

    /** Nothing cached until the next keyframe (the publisher changed or left); memory is kept for reuse. */
    void clear()
    {
        valid = false;
        length = 0;
        frames = 0;
    }

    /** The stream is gone: give its memory back. */
    void release()
    {
        clear();
        budget.giveBack(bytes.capacity());
        free();
        bytes.wrap(EMPTY);
    }

    private boolean ensureCapacity(final int needed)
    {
        final int capacity = bytes.capacity();
        if (needed <= capacity)
        {
            return true;
        }
        final int grown = Math.min(maxBytes, Math.max(needed, Math.max(MIN_CAPACITY, capacity * 2)));
        if (!budget.take(grown - capacity))
        {
            return false;
        }
        // Not an aligned slice: BufferUtil.free frees only a buffer allocateDirect made.
        final ByteBuffer larger = ByteBuffer.allocateDirect(grown);
        bytes.getBytes(0, larger, 0, length);
        free();
        bytes.wrap(larger);
        return true;
    }

    /** Frees the memory {@link #bytes} wraps, if any (it wraps an empty array until the first GOP); wrap it anew next. */
    private void free()
    {
        final ByteBuffer memory = bytes.byteBuffer();
        if (null != memory)
        {
            BufferUtil.free(memory);
        }
    }
}
