package dev.mpserver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/** What /proc says about another process: run state, the program it runs, CPU time, open fd numbers. */
public final class ProcFacts
{
    /** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every Linux build we run on). */
    public static final int TICKS_PER_SECOND = 100;

    /** Fields after the ")" closing the command name: state is field 3 of stat(5), utime 14, stime 15. */
    private static final int UTIME = 11;
    private static final int STIME = 12;

    private ProcFacts()
    {
    }

    /**
     * Whether every thread of {@code pid} is stopped (state 'T' in each /proc/&lt;pid&gt;/task/&lt;tid&gt;/stat).
     * The process's own stat shows the thread-group leader's state alone, which stops on its own schedule.
     */
    public static boolean everyThreadStopped(final long pid)
    {
        final String[] tids = Path.of("/proc", Long.toString(pid), "task").toFile().list();
        if (null == tids || 0 == tids.length)
        {
            throw new UncheckedIOException(new IOException("process " + pid + " is gone"));
        }
        for (final String tid : tids)
        {
            try
            {
                if ('T' != afterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "task", tid, "stat"))).charAt(0))
                {
                    return false;
                }
            }
            catch (final IOException ex)
            {
                // The thread ended between the listing and the read: it waits in no epoll.
            }
        }
        return true;
    }

    /**
     * The name of the program {@code pid} runs now (/proc/&lt;pid&gt;/comm: "java" once a launcher
     * such as chrt or taskset has exec'd the JVM), or "" if the process is gone.
     */
    public static String program(final long pid)
    {
        try
        {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        }
        catch (final IOException ex)
        {
            return "";
        }
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
            return afterCommand(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))).split(" ");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("process " + pid + " is gone", ex);
        }
    }

    /** A stat line's fields after the ")" that closes the command name (which may itself hold spaces and parentheses). */
    private static String afterCommand(final String stat)
    {
        return stat.substring(stat.lastIndexOf(')') + 2);
    }
}
