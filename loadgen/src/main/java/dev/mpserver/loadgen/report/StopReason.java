package dev.mpserver.loadgen.report;

/** Why a run ended. */
public enum StopReason
{
    /** Every connection finished (ok, shed or failed). */
    COMPLETED("completed"),
    /** --duration ran out; open connections were cut off, later ones never started. */
    DURATION("duration"),
    /** Stopped from outside (Ctrl-C, or {@code LoadGenRun.requestStop()}). */
    STOPPED("stopped"),
    /** An engine thread hit an unexpected error (a bug): see the report's error. */
    ENGINE_ERROR("engine-error");

    private final String label;

    StopReason(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
