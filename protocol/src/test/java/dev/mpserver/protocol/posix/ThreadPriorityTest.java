package dev.mpserver.protocol.posix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
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
 * the kernel reports it in /proc/self/task/TID/stat; {@link Posix#setCpuAffinity} pins one thread
 * and {@link Posix#takeCpuAffinityOf} gives every thread a process's CPUs back, as
 * /proc/self/task/TID/status reports them.
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

    /** A thread that changes itself, then stays alive until closed, so that the change can be read from outside it. */
    private static final class ParkedThread implements AutoCloseable
    {
        private final CountDownLatch changed = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicInteger tid = new AtomicInteger();
        private final Thread thread;

        ParkedThread(final Runnable change) throws InterruptedException
        {
            thread = new Thread(() ->
            {
                tid.set(Posix.LIBC.gettid());
                change.run();
                changed.countDown();
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
            changed.await();
        }

        int tid()
        {
            return tid.get();
        }

        @Override
        public void close() throws InterruptedException
        {
            done.countDown();
            thread.join();
        }
    }

    /** Where the probe says a thread may leave SCHED_IDLE, every idle thread leaves; where not, EPERM. */
    @Test
    void leavingSchedIdleMovesEveryIdleThreadOrIsRefusedAsTheProbeSays() throws Exception
    {
        final boolean mayLeave = Posix.canLeaveIdlePolicy();
        try (ParkedThread thread = new ParkedThread(Posix::idleThisThread))
        {
            assertEquals(Posix.SCHED_IDLE, statField(thread.tid(), POLICY_FIELD));
            if (mayLeave)
            {
                assertTrue(Posix.leaveIdlePolicy() >= 1, "at least the idle thread moved");
                assertEquals(Posix.SCHED_OTHER, statField(thread.tid(), POLICY_FIELD));
            }
            else
            {
                final PosixException refused = assertThrows(PosixException.class, Posix::leaveIdlePolicy);
                assertEquals(Errno.EPERM, refused.errno());
            }
        }
    }

    /** The thread's CPUs as the kernel reports them: /proc/self/task/TID/status, "Cpus_allowed_list". */
    private static String cpusAllowed(final int tid) throws Exception
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status")))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new AssertionError("no Cpus_allowed_list for thread " + tid);
    }

    @Test
    void aThreadPinnedToOneCpuTakesTheProcessCpusBackAsAWarmWorkerDoes() throws Exception
    {
        final int self = (int)ProcessHandle.current().pid();
        final BitSet processCpus = Posix.cpuAffinity(self);
        assertTrue(processCpus.cardinality() >= 1);
        assertEquals(cpusAllowed(self), listOf(processCpus), "the mask read back is the kernel's");
        final int last = processCpus.length() - 1;
        final BitSet one = new BitSet();
        one.set(last);
        final AtomicInteger pinResult = new AtomicInteger(-2);
        try (ParkedThread thread = new ParkedThread(() -> pinResult.set(Posix.setCpuAffinity(0, one))))
        {
            assertEquals(0, pinResult.get());
            assertEquals(Integer.toString(last), cpusAllowed(thread.tid()), "the thread alone is pinned");
            assertEquals(listOf(processCpus), cpusAllowed(self), "the main thread is not");

            final int changed = Posix.takeCpuAffinityOf(self);

            assertEquals(processCpus.cardinality() > 1 ? 1 : 0, changed, "only the pinned thread had other CPUs");
            assertEquals(listOf(processCpus), cpusAllowed(thread.tid()));
            assertEquals(0, Posix.takeCpuAffinityOf(self), "a second call finds nothing to change");
        }
    }

    /** "0-1" or "0,2" style, as the kernel writes a CPU list (ranges of three or more, or two, joined with '-'). */
    private static String listOf(final BitSet cpus)
    {
        final StringBuilder list = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; )
        {
            final int to = cpus.nextClearBit(from) - 1;
            list.append(list.length() == 0 ? "" : ",").append(from).append(to > from ? "-" + to : "");
            from = cpus.nextSetBit(to + 1);
        }
        return list.toString();
    }
}
