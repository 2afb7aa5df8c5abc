package dev.mpserver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/** What /proc says about another process: run state, CPU time, open fd numbers. */
public final class ProcFacts
{
    /** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux build we run on). */
    public static final int TICKS_PER_SECOND = 100;

    /** Fields after the ")" closing the command name: state is field 3 of stat(5), utime 14, stime 15. */
    private static final int STATE = 0;
    private static final int UTIME = 11;
    private static final int STIME = 12;

    private ProcFacts()
    {
    }

    /** One-letter state: R, S, T (stopped), Z, ... */
    public static char state(final long pid)
    {
        return fields(pid)[STATE].charAt(0);
    }

    /** User plus system CPU time of every thread of {@code pid}, in ticks. */
    public static long cpuTicks(final long pid)
    {
        final String[] fields = fields(pid);
        return Long.parseLong(fields[UTIME]) + Long.parseLong(fields[STIME]);
    }

    /** The fd numbers open in {@code pid} right now. */
    public static TreeSet<Integer> openFds(final long pid)
    {
        final TreeSet<Integer> fds = new TreeSet<>();
        final String[] names = Path.of("/proc", Long.toString(pid), "fd").toFile().list();
        if (null != names)
        {
            for (final String name : names)
            {
                fds.add(Integer.parseInt(name));
            }
        }
        return fds;
    }

    private static String[] fields(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + pid + " is gone", ex);
        }
    }
}
