package dev.mpserver.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.Signals;

/**
 * SIGSTOP and SIGCONT of another process, for tests that hold one worker still.
 *
 * <p>{@link #stop} returns only once <em>every</em> thread of the process is stopped. kill(2)
 * returns as soon as the signal is queued; each thread then stops on its own way back to user
 * space, and the thread-group leader's state in /proc/&lt;pid&gt;/stat (a JVM's launcher thread,
 * parked in pthread_join) can read 'T' while the worker's event-loop thread is still asleep in
 * epoll_wait on the listener. A connection made in that window wakes that epoll (EPOLLEXCLUSIVE
 * wakes one waiter), the thread takes the event and then stops, and no running worker is woken
 * for the connection: a test that means "only the other worker can take this client" would wait
 * on it for nothing. Once every thread is stopped none waits in any epoll, and the kernel wakes a
 * running worker.
 */
public final class JobControl
{
    /** A stop takes a few scheduler ticks on an idle machine; this bounds a busy one. */
    private static final long STOP_TIMEOUT_MILLIS = 5_000;

    private JobControl()
    {
    }

    /** SIGSTOP {@code pid} and wait until all its threads are stopped; on a timeout it is sent SIGCONT and the test fails. */
    public static void stop(final long pid) throws InterruptedException
    {
        Posix.checked("kill(SIGSTOP)", Posix.process().kill((int)pid, Signals.SIGSTOP));
        final boolean took = Eventually.eventually(STOP_TIMEOUT_MILLIS, () -> ProcFacts.everyThreadStopped(pid));
        if (!took)
        {
            resume(pid);
        }
        assertTrue(took, "every thread of " + pid + " stopped within " + STOP_TIMEOUT_MILLIS + " ms");
    }

    /** SIGCONT {@code pid}. */
    public static void resume(final long pid)
    {
        Posix.checked("kill(SIGCONT)", Posix.process().kill((int)pid, Signals.SIGCONT));
    }
}
