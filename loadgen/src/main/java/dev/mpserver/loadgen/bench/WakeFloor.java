package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the design's extra wake-ups alone add to a routed round trip on this machine
 * ({@code scripts/reference/wake_chain.c}): the same paced round trips through one process (client, A)
 * and through a routed chain (client, A, a master asleep in sigsuspend woken by its channel's RT
 * signal, B), with no server work in either, on any CPU the scheduler picks or all on one CPU. What
 * routing adds to mpserver's p99 beyond the difference is mpserver's; the difference itself is the
 * machine's and the design's, and the one-CPU run shows how much of it is wake-ups that cross CPUs.
 * (The ratio of the two is no bound on a server's ratio, whose single-process figure includes its
 * own work.)
 */
final class WakeFloor
{
    /** Beyond the program's own time: it stops itself after 60 s. */
    private static final long TIMEOUT_SECONDS = 90;
    /** The chain on whichever CPUs the scheduler picks, as a server's processes run. */
    static final int ANY_CPU = -1;
    /** The chain with every process on this CPU: no wake-up crosses CPUs. */
    static final int ONE_CPU = 0;

    final double directP50Ms;
    final double directP99Ms;
    final double routedP50Ms;
    final double routedP99Ms;

    private WakeFloor(final double directP50Ms, final double directP99Ms, final double routedP50Ms, final double routedP99Ms)
    {
        this.directP50Ms = directP50Ms;
        this.directP99Ms = directP99Ms;
        this.routedP50Ms = routedP50Ms;
        this.routedP99Ms = routedP99Ms;
    }

    /**
     * One round of {@code trips} round trips per shape at {@code rate}/s, the shapes in turn.
     *
     * @param cpu the only CPU every process of the chain may run on, or {@link #ANY_CPU}
     */
    static WakeFloor measure(final Path binary, final int rate, final int trips, final int cpu) throws IOException, InterruptedException
    {
        final Map<String, String> values = KeyValueProcess.run("the wake-up chain", List.of(binary.toString(),
            "--trips", Integer.toString(trips), "--rate", Integer.toString(rate), "--rounds", "1", "--cpu", Integer.toString(cpu)),
            TIMEOUT_SECONDS);
        return new WakeFloor(millis(values, "direct_p50_us"), millis(values, "direct_p99_us"),
            millis(values, "routed_p50_us"), millis(values, "routed_p99_us"));
    }

    double ratio()
    {
        return routedP99Ms / directP99Ms;
    }

    private static double millis(final Map<String, String> values, final String key) throws IOException
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IOException("the wake-up chain printed no " + key);
        }
        return Double.parseDouble(value) / 1000.0;
    }
}
