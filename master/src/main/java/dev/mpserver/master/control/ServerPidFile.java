package dev.mpserver.master.control;

import java.nio.file.Path;

import dev.mpserver.protocol.rundir.PidFile;
import dev.mpserver.protocol.rundir.RunDirectoryException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A starting server's claim on its run directory. Two servers must never share one: each master
 * clears the worker counters files it finds there and the control commands would signal the wrong
 * one. A pid file that names a running server refuses the start; one that a killed server left
 * behind (its pid gone, or reused by another program) is reported and replaced.
 */
public final class ServerPidFile
{
    private static final Logger LOG = LogManager.getLogger(ServerPidFile.class);

    private ServerPidFile()
    {
    }

    /**
     * @param mainClass what a server's command line names, to tell a live server from a reused pid
     * @throws RunDirectoryException if another server runs with this run directory, or the pid file cannot be written
     */
    public static void claim(final Path runDir, final long pid, final String mainClass)
    {
        long previous;
        try
        {
            previous = PidFile.read(runDir);
        }
        catch (final RunDirectoryException ex)
        {
            LOG.warn("{}: replacing it", ex.getMessage());
            previous = PidFile.NONE;
        }
        if (previous != PidFile.NONE && previous != pid)
        {
            if (PidFile.isServer(previous, mainClass))
            {
                throw new RunDirectoryException("another mpserver (pid " + previous + ") runs with run directory " + runDir +
                    ": stop it ('mpserver signal stop'), or give this one another --run-dir");
            }
            LOG.warn("stale pid file {}: pid {} is no mpserver (a server that was killed left it): replacing it",
                PidFile.in(runDir), previous);
        }
        PidFile.write(runDir, pid);
    }
}
