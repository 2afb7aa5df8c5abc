package dev.mpserver.loadgen.rtmp;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * loadgen's own cost over a run: CPU time of this process, resident memory (now and peak, from
 * /proc/self/status) and heap in use. A run with thousands of players reports what they cost
 * loadgen, so that a bench can tell loadgen's limits from the server's.
 *
 * @param cpuNanos      process CPU time (user + system) spent during the run.
 * @param rssKib        VmRSS at the end, -1 if unknown.
 * @param peakRssKib    VmHWM at the end (the process's peak), -1 if unknown.
 * @param heapUsedBytes heap in use at the end (not collected first: an upper bound).
 */
public record SelfUsage(long cpuNanos, long rssKib, long peakRssKib, long heapUsedBytes)
{
    /** @return process CPU time so far, nanoseconds, or -1. */
    public static long processCpuNanos()
    {
        final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean)
        {
            return ((com.sun.management.OperatingSystemMXBean)os).getProcessCpuTime();
        }
        return -1;
    }

    static SelfUsage since(final long cpuAtStart)
    {
        final long cpu = processCpuNanos();
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new SelfUsage(cpu < 0 || cpuAtStart < 0 ? -1 : cpu - cpuAtStart, statusKib("VmRSS:"), statusKib("VmHWM:"),
            heap.getUsed());
    }

    /** A "Vm...:" line of /proc/self/status in KiB, or -1. */
    static long statusKib(final String field)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith(field))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        catch (final IOException | NumberFormatException e)
        {
            return -1;
        }
        return -1;
    }
}
