package dev.mpserver.worker.session.rtmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The GOP cache's bounds: per stream in bytes and frames, per worker through the shared budget. */
class GopCacheTest
{
    private static final UnsafeBuffer MESSAGE = new UnsafeBuffer(new byte[10_000]);

    @Test
    void keepsFromTheLastKeyFrameOn()
    {
        final GopCache cache = new GopCache(new GopCache.Budget(1 << 20), 1 << 20, 100);
        cache.add(MESSAGE, 0, 100, false, false);
        assertFalse(cache.hasGop(), "audio before the first keyframe is of no use to a player");
        cache.add(MESSAGE, 0, 1000, true, true);
        cache.add(MESSAGE, 0, 100, false, false);
        cache.add(MESSAGE, 0, 500, true, false);
        assertEquals(1600, cache.length());
        cache.add(MESSAGE, 0, 700, true, true);
        assertEquals(700, cache.length(), "a new keyframe starts over");
    }

    @Test
    void aGopOverItsBytesOrFramesIsNotCachedUntilTheNextKeyFrame()
    {
        final GopCache bytes = new GopCache(new GopCache.Budget(1 << 20), 2500, 100);
        bytes.add(MESSAGE, 0, 1000, true, true);
        bytes.add(MESSAGE, 0, 1000, true, false);
        bytes.add(MESSAGE, 0, 1000, true, false);
        assertFalse(bytes.hasGop(), "over 2500 bytes");
        bytes.add(MESSAGE, 0, 1000, true, false);
        assertFalse(bytes.hasGop(), "and still nothing before the next keyframe");
        bytes.add(MESSAGE, 0, 1000, true, true);
        assertTrue(bytes.hasGop());

        final GopCache frames = new GopCache(new GopCache.Budget(1 << 20), 1 << 20, 3);
        for (int i = 0; i < 3; i++)
        {
            frames.add(MESSAGE, 0, 10, true, 0 == i);
        }
        frames.add(MESSAGE, 0, 10, false, false);
        assertTrue(frames.hasGop(), "audio does not count as frames");
        frames.add(MESSAGE, 0, 10, true, false);
        assertFalse(frames.hasGop(), "a fourth video frame is over the bound");
    }

    @Test
    void streamsShareTheWorkersBudgetAndGiveBackWhatTheyTook()
    {
        final GopCache.Budget budget = new GopCache.Budget(100_000);
        final GopCache first = new GopCache(budget, 80_000, 100);
        final GopCache second = new GopCache(budget, 80_000, 100);
        for (int i = 0; i < 7; i++)
        {
            first.add(MESSAGE, 0, 10_000, true, 0 == i);
        }
        assertTrue(first.hasGop());
        assertEquals(80_000, budget.used(), "grown by doubling from 64 KiB, up to its own bound");
        second.add(MESSAGE, 0, 10_000, true, true);
        assertFalse(second.hasGop(), "no room left in the worker's budget");
        first.release();
        assertEquals(0, budget.used());
        second.add(MESSAGE, 0, 10_000, true, true);
        assertTrue(second.hasGop(), "the memory the first gave back");
    }

    @Test
    void zeroBytesTurnsItOff()
    {
        final GopCache off = new GopCache(new GopCache.Budget(1 << 20), 0, 100);
        off.add(MESSAGE, 0, 100, true, true);
        assertFalse(off.hasGop());
    }
}
