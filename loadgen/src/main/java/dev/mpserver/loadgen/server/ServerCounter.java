package dev.mpserver.loadgen.server;

/** One named value from the server's counters, summed over its processes. */
public record ServerCounter(String label, long value)
{
}
