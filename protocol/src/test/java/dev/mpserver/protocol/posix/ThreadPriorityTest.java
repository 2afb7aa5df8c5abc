package dev.mpserver.protocol.posix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Posix#niceThisThread} and {@link Posix#idleThisThread} change the calling thread only, as
 * the kernel reports it in /proc/self/task/TID/stat.
 */
class ThreadPriorityTest
{
    /** stat(5) numbering: field 19 is the nice value, field 41 the scheduling policy. */
    private static final int NICE_FIELD = 19;
    private static final int POLICY_FIELD = 41;

    /** Field {@code number} (as stat(5) counts) of the thread's stat line, after the parenthesised comm. */
    private static int statField(final int tid, final int number) throws Exception
    {
        final String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[number - 3]);
    }

    @FunctionalInterface
    private interface ThreadChange
    {
        void apply(int tid) throws Exception;
    }

    /** Runs {@code change} on a new thread; returns that thread's stat field {@code number} afterwards. */
    private static int onAnotherThread(final ThreadChange change, final int number) throws Exception
    {
        final AtomicInteger value = new AtomicInteger(Integer.MIN_VALUE);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                final int tid = Posix.LIBC.gettid();
                change.apply(tid);
                value.set(statField(tid, number));
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        thread.start();
        thread.join();
        assertNull(failure.get());
        return value.get();
    }

    @Test
    void aThreadLowersItsOwnNiceValueAndNoOtherThreads() throws Exception
    {
        final int callerTid = Posix.LIBC.gettid();
        final int callerNiceBefore = statField(callerTid, NICE_FIELD);

        assertEquals(callerNiceBefore + 5, onAnotherThread(tid -> Posix.niceThisThread(callerNiceBefore + 5), NICE_FIELD));
        assertEquals(callerNiceBefore, statField(callerTid, NICE_FIELD), "the caller's own thread is untouched");
    }

    @Test
    void aThreadPutsItselfInSchedIdleAndNoOtherThreads() throws Exception
    {
        final int callerTid = Posix.LIBC.gettid();
        assertEquals(Posix.SCHED_OTHER, statField(callerTid, POLICY_FIELD));

        assertEquals(Posix.SCHED_IDLE, onAnotherThread(tid -> Posix.idleThisThread(), POLICY_FIELD));
        assertEquals(Posix.SCHED_OTHER, statField(callerTid, POLICY_FIELD), "the caller's own thread is untouched");
    }

    /** Where the probe says a thread may leave SCHED_IDLE, every idle thread leaves; where not, EPERM. */
    @Test
    void leavingSchedIdleMovesEveryIdleThreadOrIsRefusedAsTheProbeSays() throws Exception
    {
        final boolean mayLeave = Posix.canLeaveIdlePolicy();
        final CountDownLatch idle = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger tid = new AtomicInteger();
        final Thread thread = new Thread(() ->
        {
            tid.set(Posix.LIBC.gettid());
            Posix.idleThisThread();
            idle.countDown();
            try
            {
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        try
        {
            idle.await();
            assertEquals(Posix.SCHED_IDLE, statField(tid.get(), POLICY_FIELD));
            if (mayLeave)
            {
                assertTrue(Posix.leaveIdlePolicy() >= 1, "at least the idle thread moved");
                assertEquals(Posix.SCHED_OTHER, statField(tid.get(), POLICY_FIELD));
            }
            else
            {
                final PosixException refused = assertThrows(PosixException.class, Posix::leaveIdlePolicy);
                assertEquals(Errno.EPERM, refused.errno());
            }
        }
        finally
        {
            done.countDown();
            thread.join();
        }
    }
}
