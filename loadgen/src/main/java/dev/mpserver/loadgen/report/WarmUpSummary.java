package dev.mpserver.loadgen.report;

/**
 * What loadgen's warm-up of its own code did before the run ({@code --warm-up}): clients asked for
 * and ended ok, how long it took, and why it failed if it did. None of it is in the run's figures.
 */
public record WarmUpSummary(long conns, long ok, long nanos, String failure)
{
    public double seconds()
    {
        return nanos / 1e9;
    }
}
