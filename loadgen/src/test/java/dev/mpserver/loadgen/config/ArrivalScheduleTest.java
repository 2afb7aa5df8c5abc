package dev.mpserver.loadgen.config;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrivalScheduleTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void asSoonAsPossibleIsNotPaced()
    {
        final ArrivalSchedule s = ArrivalSchedule.asSoonAsPossible();
        assertFalse(s.isPaced());
        assertEquals(0, s.intendedStartNanos(12345));
    }

    @Test
    void constantRateSpacesConnectionsEvenly()
    {
        final ArrivalSchedule s = ArrivalSchedule.constantRate(1000);
        assertEquals(0, s.intendedStartNanos(0));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1), s.intendedStartNanos(1), 1);
        assertEquals(SECOND, s.intendedStartNanos(1000), 10);
    }

    @Test
    void linearRampArrivesAsTheIntegralOfTheRate()
    {
        // 100/s → 1100/s over 2 s: 1200 arrivals during the ramp, then 1100/s.
        final ArrivalSchedule s = ArrivalSchedule.ramp(100, 1100, 2 * SECOND, 1);
        assertEquals(2 * SECOND, s.intendedStartNanos(1200), 1_000);
        // At t = 1 s: 100·1 + 500·1²/2 = 350 arrivals.
        assertEquals(SECOND, s.intendedStartNanos(350), 1_000);
        assertEquals(3 * SECOND, s.intendedStartNanos(1200 + 1100), 1_000);
        assertEquals(600, s.targetRateAt(SECOND), 1e-9);
        long previous = -1;
        for (long n = 0; n < 5000; n++)
        {
            final long t = s.intendedStartNanos(n);
            assertTrue(t >= previous, "monotonic at " + n);
            previous = t;
        }
    }

    @Test
    void rampFromZeroAndBursts()
    {
        final ArrivalSchedule s = ArrivalSchedule.ramp(0, 1000, SECOND, 10);
        // 10 arrivals by t where 500·t² = 10: t = 0.1414 s; the whole burst 10..19 starts then.
        assertEquals(0, s.intendedStartNanos(9));
        final long burst = s.intendedStartNanos(10);
        assertEquals(Math.sqrt(10 / 500.0) * SECOND, burst, 1_000);
        assertEquals(burst, s.intendedStartNanos(19));
        assertTrue(s.intendedStartNanos(20) > burst);
    }

    @Test
    void withoutARampTheStartRateIsIgnored()
    {
        final ArrivalSchedule s = ArrivalSchedule.ramp(0, 10, 0, 1);
        assertEquals(10, s.startRate());
        assertEquals(SECOND, s.intendedStartNanos(10), 10);
    }

    @Test
    void rejectsRatesThatCannotRun()
    {
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.constantRate(0));
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.ramp(-1, 10, SECOND, 1));
        assertThrows(IllegalArgumentException.class, () -> ArrivalSchedule.ramp(1, 10, SECOND, 0));
    }
}
