package dev.mpserver.loadgen.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A read-only view of a running mpserver's counters (the AeronStat idea: read from outside without
 * disturbing the server). {@code loadgen storm --run-dir DIR} samples it once a second next to its own
 * progress, so that a storm's client-side figures can be put beside the server's (RT signals,
 * overflows, rescans, hand-offs, …).
 */
@FunctionalInterface
public interface ServerCountersView
{
    /** A view that never has anything to report. */
    ServerCountersView NONE = Optional::empty;

    /**
     * @return the counters now, or empty when there is nothing to read (no counters file in the run
     * directory, a file not completely written yet, or no run directory at all). Never throws for those.
     */
    Optional<ServerCountersSnapshot> snapshot();

    /** The view for a server's {@code --run-dir}; {@link #NONE} when {@code runDir} is null. */
    static ServerCountersView forRunDir(final Path runDir)
    {
        return runDir == null ? NONE : new RunDirCountersView(runDir);
    }
}
