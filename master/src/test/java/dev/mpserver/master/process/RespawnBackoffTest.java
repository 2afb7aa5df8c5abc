package dev.mpserver.master.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RespawnBackoffTest
{
    private static final long MS = 1_000_000L;

    @Test
    void nothingToWaitForBeforeAnyDeath()
    {
        final RespawnBackoff backoff = new RespawnBackoff();
        assertTrue(backoff.allowsSpawnAt(0));
        assertTrue(backoff.allowsSpawnAt(Long.MIN_VALUE + 1));
        assertEquals(0, backoff.delayMillis());
    }

    @Test
    void youngDeathsDoubleTheDelayFrom100MsUpTo10Seconds()
    {
        final RespawnBackoff backoff = new RespawnBackoff();
        long now = 1_000 * MS;
        final long[] expected = {100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000};
        for (final long delay : expected)
        {
            assertTrue(backoff.onDeath(now - 1_999 * MS, now), "younger than 2 s: a crash");
            assertEquals(delay, backoff.delayMillis());
            assertFalse(backoff.allowsSpawnAt(now + delay * MS - 1));
            assertTrue(backoff.allowsSpawnAt(now + delay * MS));
            now += 20_000 * MS;
        }
    }

    @Test
    void aWorkerThatLivedTwoSecondsResetsTheDelay()
    {
        final RespawnBackoff backoff = new RespawnBackoff();
        backoff.onDeath(0, 10 * MS);
        backoff.onDeath(0, 10 * MS);
        assertEquals(200, backoff.delayMillis());
        assertFalse(backoff.onDeath(0, 2_000 * MS), "2 s is not young");
        assertEquals(0, backoff.delayMillis());
        assertTrue(backoff.allowsSpawnAt(2_000 * MS));
        assertTrue(backoff.onDeath(2_000 * MS, 2_001 * MS));
        assertEquals(100, backoff.delayMillis(), "starts over");
    }

    @Test
    void aFailedSpawnWaitsTheMinimumWithoutTouchingTheDoubling()
    {
        final RespawnBackoff backoff = new RespawnBackoff();
        backoff.onDeath(0, 10 * MS);
        backoff.onDeath(0, 10 * MS);
        backoff.onSpawnFailed(5_000 * MS);
        assertFalse(backoff.allowsSpawnAt(5_099 * MS));
        assertTrue(backoff.allowsSpawnAt(5_100 * MS));
        assertEquals(200, backoff.delayMillis());
    }
}
