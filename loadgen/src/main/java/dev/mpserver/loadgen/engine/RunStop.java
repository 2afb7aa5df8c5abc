package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.report.StopReason;

/**
 * A run's stop from outside (Ctrl-C, a bench's own deadline), which may come before the run has
 * begun and must stop it all the same, and the one reading of why a run ended.
 */
public final class RunStop
{
    private volatile RunControl control;
    private volatile boolean requested;

    /** Stop soon: open connections are cut off, the report is still made. */
    public void request()
    {
        requested = true;
        final RunControl c = control;
        if (null != c)
        {
            c.requestStop();
        }
    }

    /** @return the control of a run about to begin, already stopping if a stop came first */
    public RunControl begin(final long durationNanos, final int threads)
    {
        final RunControl run = new RunControl(durationNanos, threads);
        control = run; // before reading the flag: a request() now either sees the control or set the flag first
        if (requested)
        {
            run.requestStop();
        }
        return run;
    }

    /**
     * @param ranOutOfTime whether --duration ended it (a run that had clients left to start counts too)
     * @return why the run ended: an engine's error, a stop from outside, --duration, or all done
     */
    public StopReason reason(final RunControl run, final boolean ranOutOfTime)
    {
        if (null != run.failure())
        {
            return StopReason.ENGINE_ERROR;
        }
        if (requested)
        {
            return StopReason.STOPPED;
        }
        return ranOutOfTime ? StopReason.DURATION : StopReason.COMPLETED;
    }
}
