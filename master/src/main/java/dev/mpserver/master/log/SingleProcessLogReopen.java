package dev.mpserver.master.log;

import dev.mpserver.protocol.posix.PosixException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import sun.misc.Signal;

/**
 * SIGUSR1 in single-process mode ({@code --workers 0}): there is no master loop and no signal
 * mask, so the JVM's own signal dispatcher runs the handler, on its thread. Reopening is one dup2,
 * which is safe next to the loop's writes; the loop never sees the signal.
 */
public final class SingleProcessLogReopen
{
    private static final Logger LOG = LogManager.getLogger(SingleProcessLogReopen.class);

    private SingleProcessLogReopen()
    {
    }

    /** @param logFile {@code --log-file}, or null: USR1 is still taken (its default action would end the server) */
    public static void install(final LogFile logFile)
    {
        Signal.handle(new Signal("USR1"), signal ->
        {
            if (null == logFile)
            {
                LOG.info("SIGUSR1: no --log-file to reopen");
                return;
            }
            try
            {
                logFile.redirectStderr();
                LOG.info("SIGUSR1: log file {} reopened", logFile.path());
            }
            catch (final PosixException ex)
            {
                LOG.error("SIGUSR1: cannot reopen the log file: {}; logging goes on to the file it had", ex.getMessage());
            }
        });
    }
}
