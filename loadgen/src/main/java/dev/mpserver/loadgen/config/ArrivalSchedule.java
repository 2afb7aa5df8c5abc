package dev.mpserver.loadgen.config;

/**
 * When each connection is intended to start, as an offset from the start of the run.
 *
 * <p>The rate ramps linearly from {@code startRate} to {@code endRate} connections/s over {@code ramp},
 * then stays at {@code endRate}; connections are released in bursts of {@code burst}, a burst at the
 * intended time of its first connection. A constant rate is a ramp with equal ends. "As soon as
 * possible" (closed loop) has no rate: every connection is intended at 0 and only the concurrency cap
 * holds it back.
 */
public final class ArrivalSchedule
{
    private static final double NANOS_PER_SECOND = 1e9;

    private final double startRate;
    private final double endRate;
    private final long rampNanos;
    private final int burst;

    private ArrivalSchedule(final double startRate, final double endRate, final long rampNanos, final int burst)
    {
        this.startRate = startRate;
        this.endRate = endRate;
        this.rampNanos = rampNanos;
        this.burst = burst;
    }

    /** Closed loop: start every connection as soon as the concurrency cap allows. */
    public static ArrivalSchedule asSoonAsPossible()
    {
        return new ArrivalSchedule(0, 0, 0, 1);
    }

    public static ArrivalSchedule constantRate(final double perSecond)
    {
        return ramp(perSecond, perSecond, 0, 1);
    }

    public static ArrivalSchedule ramp(final double startRate, final double endRate, final long rampNanos, final int burst)
    {
        if (!(endRate > 0) || Double.isInfinite(endRate))
        {
            throw new IllegalArgumentException("connection rate must be > 0, got " + endRate);
        }
        if (!(startRate >= 0) || Double.isInfinite(startRate))
        {
            throw new IllegalArgumentException("ramp start rate must be >= 0, got " + startRate);
        }
        if (rampNanos < 0 || burst < 1)
        {
            throw new IllegalArgumentException("ramp must be >= 0 and burst >= 1");
        }
        if (rampNanos == 0 && startRate != endRate)
        {
            return new ArrivalSchedule(endRate, endRate, 0, burst);
        }
        return new ArrivalSchedule(startRate, endRate, rampNanos, burst);
    }

    /** @return true when connections arrive on a clock (open loop), false for as-soon-as-possible. */
    public boolean isPaced()
    {
        return endRate > 0;
    }

    public double startRate()
    {
        return startRate;
    }

    /** @return the target rate after the ramp, connections/s (0 when not paced). */
    public double endRate()
    {
        return endRate;
    }

    public long rampNanos()
    {
        return rampNanos;
    }

    public int burst()
    {
        return burst;
    }

    /** @return nanoseconds after the start of the run at which connection {@code n} should start. */
    public long intendedStartNanos(final long n)
    {
        if (!isPaced())
        {
            return 0;
        }
        final long leader = n - n % burst;
        if (leader == 0)
        {
            return 0;
        }
        final double rampSeconds = rampNanos / NANOS_PER_SECOND;
        final double arrivalsInRamp = (startRate + endRate) * rampSeconds / 2;
        final double seconds;
        if (leader <= arrivalsInRamp)
        {
            // Solves startRate·t + accel·t²/2 = leader in the form that is stable when accel → 0.
            final double accel = (endRate - startRate) / rampSeconds;
            seconds = 2 * leader / (startRate + Math.sqrt(startRate * startRate + 2 * accel * leader));
        }
        else
        {
            seconds = rampSeconds + (leader - arrivalsInRamp) / endRate;
        }
        return (long)(seconds * NANOS_PER_SECOND);
    }

    /** @return the intended connection rate at {@code nanos} after the start, connections/s. */
    public double targetRateAt(final long nanos)
    {
        if (!isPaced())
        {
            return 0;
        }
        if (nanos >= rampNanos)
        {
            return endRate;
        }
        return startRate + (endRate - startRate) * nanos / (double)rampNanos;
    }

    @Override
    public String toString()
    {
        if (!isPaced())
        {
            return "as soon as possible";
        }
        final StringBuilder s = new StringBuilder();
        if (rampNanos > 0)
        {
            s.append(startRate).append(" -> ").append(endRate).append(" conn/s over ")
                .append(rampNanos / 1_000_000).append(" ms");
        }
        else
        {
            s.append(endRate).append(" conn/s");
        }
        if (burst > 1)
        {
            s.append(", bursts of ").append(burst);
        }
        return s.toString();
    }
}
