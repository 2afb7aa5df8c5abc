package dev.mpserver.loadgen.server;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The counters of the server whose {@code --run-dir} is {@code runDir}.
 *
 * <p>Hook only, for now: the counters file (its name, its layout, its version field that is written
 * last) belongs to the protocol module and does not exist yet, so this view finds no counters file and
 * always returns empty. When the protocol's counters reader lands, read it here (check the version
 * first, as Aeron's CnC file does) and map each counter to a {@link ServerCounter}; nothing else in
 * loadgen needs to change.
 */
public final class RunDirCountersView implements ServerCountersView
{
    private final Path runDir;

    public RunDirCountersView(final Path runDir)
    {
        this.runDir = runDir;
    }

    public Path runDir()
    {
        return runDir;
    }

    @Override
    public Optional<ServerCountersSnapshot> snapshot()
    {
        return Optional.empty();
    }

    @Override
    public String toString()
    {
        return "server counters in " + runDir + " (not readable yet: the counters file format is not defined)";
    }
}
