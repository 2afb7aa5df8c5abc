package dev.mpserver.loadgen.server;

import java.nio.file.Path;
import java.util.List;

/** The server's counters as read once from {@code source}. */
public record ServerCountersSnapshot(Path source, List<ServerCounter> counters)
{
    public ServerCountersSnapshot
    {
        counters = List.copyOf(counters);
    }
}
