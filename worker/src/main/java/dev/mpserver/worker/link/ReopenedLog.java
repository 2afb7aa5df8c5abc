package dev.mpserver.worker.link;

import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.worker.WorkerLog;

/**
 * A {@code REOPEN} from the master: the fd it carries is the log file the master just reopened
 * ({@code --log-file}, after SIGUSR1); it becomes this worker's stderr, where its log lines go.
 */
final class ReopenedLog
{
    private ReopenedLog()
    {
    }

    static void takeOver(final int fd, final int pid)
    {
        if (fd < 0)
        {
            WorkerLog.LOG.warn("worker {}: REOPEN arrived without the log file's fd (fd limit?); logging goes on to the old file", pid);
            return;
        }
        try
        {
            Posix.replaceStderr(fd);
        }
        catch (final PosixException ex)
        {
            WorkerLog.LOG.warn("worker {}: cannot take over the reopened log file: {}", pid, ex.getMessage());
        }
    }
}
