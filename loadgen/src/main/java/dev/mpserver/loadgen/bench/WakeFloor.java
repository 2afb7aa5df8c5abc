package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the design's extra wake-ups alone add to a routed round trip on this machine
 * ({@code scripts/reference/wake_chain.c}): the same paced round trips through one process (client, A)
 * and through a routed chain (client, A, a master asleep in sigsuspend woken by its channel's RT
 * signal, B), with no server work in either. What routing adds to mpserver's p99 beyond the
 * difference is mpserver's; the difference itself is the machine's and the design's. (The ratio of
 * the two is no bound on a server's ratio, whose single-process figure includes its own work.)
 */
final class WakeFloor
{
    /** Beyond the program's own time: it stops itself after 60 s. */
    private static final long TIMEOUT_SECONDS = 90;

    final double directP99Ms;
    final double routedP99Ms;

    private WakeFloor(final double directP99Ms, final double routedP99Ms)
    {
        this.directP99Ms = directP99Ms;
        this.routedP99Ms = routedP99Ms;
    }

    /** One round of {@code trips} round trips per shape at {@code rate}/s, the shapes in turn. */
    static WakeFloor measure(final Path binary, final int rate, final int trips) throws IOException, InterruptedException
    {
        final Map<String, String> values = KeyValueProcess.run("the wake-up chain", List.of(binary.toString(),
            "--trips", Integer.toString(trips), "--rate", Integer.toString(rate), "--rounds", "1"), TIMEOUT_SECONDS);
        return new WakeFloor(micros(values, "direct_p99_us") / 1000.0, micros(values, "routed_p99_us") / 1000.0);
    }

    double ratio()
    {
        return routedP99Ms / directP99Ms;
    }

    private static double micros(final Map<String, String> values, final String key) throws IOException
    {
        final String value = values.get(key);
        if (null == value)
        {
            throw new IOException("the wake-up chain printed no " + key);
        }
        return Double.parseDouble(value);
    }
}
