package dev.mpserver.loadgen.multihost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What /proc says about a process of this machine. */
final class ProcessList
{
    private ProcessList()
    {
    }

    /**
     * True while {@code pid} exists and is not a zombie whose threads are all gone (a zombie still
     * holding threads may still hold its sockets: a JVM's exiting threads take a few ms).
     */
    static boolean isRunning(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            final String[] threads = Path.of("/proc", Long.toString(pid), "task").toFile().list();
            final boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
            return !zombie || (null != threads && threads.length > 1);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
