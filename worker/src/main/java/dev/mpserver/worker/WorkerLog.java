package dev.mpserver.worker;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The worker loop's logger, created on first use instead of when the loop's class loads. Setting
 * up Log4j in a spawned worker (provider scan, property sources, the simple back end's date
 * format) is a good part of a spawn's CPU (docs/benchmarks.md); the loop has it done by a background thread after READY
 * ({@link #inBackground}), not in front of the clients the master queued for the new worker. A
 * loop that logs before that thread is done waits for it on the class-initialisation lock; it logs
 * only lifecycle events and rare errors.
 */
public final class WorkerLog
{
    public static final Logger LOG = LogManager.getLogger("dev.mpserver.worker");

    private WorkerLog()
    {
    }

    /** Runs {@code logging} (which sets Log4j up if nobody has yet) on a daemon thread. */
    public static void inBackground(final Runnable logging)
    {
        final Thread thread = new Thread(logging, "log-init");
        thread.setDaemon(true);
        thread.start();
    }
}
