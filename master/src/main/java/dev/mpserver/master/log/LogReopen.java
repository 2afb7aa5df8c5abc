package dev.mpserver.master.log;

import java.nio.file.Path;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * SIGUSR1 with {@code --log-file}: the master opens the log file's path anew (logrotate moved the
 * old file away) and makes it its stderr, then passes the new file to every worker in a
 * {@link ChannelCommand#REOPEN} frame (SCM_RIGHTS), which the worker puts on its own fd 2. Workers
 * do not open the path themselves: the master's file is the one they must write to, whatever their
 * working directory or the path's permissions by then. Workers spawned later inherit fd 2.
 */
public final class LogReopen
{
    private static final Logger LOG = LogManager.getLogger(LogReopen.class);
    private static final int LOWEST_COPY_FD = 3;

    /** Null while logging goes to an inherited stderr: nothing to reopen. */
    private final LogFile file;
    private final WorkerTable table;
    private final int masterPid;

    /** @param logFile {@code --log-file}, or null */
    public LogReopen(final Path logFile, final WorkerTable table, final int masterPid)
    {
        this.file = null == logFile ? null : new LogFile(logFile);
        this.table = table;
        this.masterPid = masterPid;
    }

    /** Reopens the log file in the master and queues a REOPEN for every worker's channel (the pass's flush sends it). */
    public void reopen()
    {
        if (null == file)
        {
            return;
        }
        try
        {
            file.redirectStderr();
        }
        catch (final PosixException ex)
        {
            LOG.error("SIGUSR1: cannot reopen the log file: {}; logging goes on to the file it had", ex.getMessage());
            return;
        }
        int told = 0;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            final Channel channel = slot.channel;
            if (!slot.hasProcess() || slot.state == WorkerSlot.GONE || null == channel || channel.isClosed())
            {
                continue;
            }
            final int copy = Posix.dupAtLeast(Posix.STDERR_FILENO, LOWEST_COPY_FD);
            if (channel.post(ChannelCommand.REOPEN, 0, 0, masterPid, copy) == Channel.QUEUED)
            {
                told++;
            }
            else
            {
                Posix.closeQuietly(copy);
            }
        }
        LOG.info("SIGUSR1: log file {} reopened; {} workers told to write to it", file.path(), told);
    }
}
