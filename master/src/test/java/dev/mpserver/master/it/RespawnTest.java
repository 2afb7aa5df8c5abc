package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.File;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.testkit.JobControl;
import dev.mpserver.testkit.ProcFacts;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Test;

/**
 * A worker that replaces a dead one while another is warm takes nothing from the shared listener
 * until its own warm-up is done (issue 16: the replacement's cold code had put the first clients'
 * route p99 at 2-7x warm), and serves as any other once it is. Where the master can, it starts in
 * SCHED_IDLE, all of its threads, on one CPU (the last of the master's), and leaves both when warm.
 */
class RespawnTest
{
    /** Enough synthetic clients that the warm-up runs to its time bound (3 s), not to its count. */
    private static final String LONG_WARM_UP = "1000000";
    /** How long a connection waits in the backlog for a worker that must not take it. */
    private static final long HELD_FOR_MILLIS = 500;

    @Test
    void aReplacementAcceptsNothingUntilItIsWarm() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--warm-up", LONG_WARM_UP))
        {
            final List<Long> before = server.workerPids();
            assertEquals(2, before.size());
            final long killed = before.get(0);
            ProcessHandle.of(killed).orElseThrow().destroyForcibly();
            assertTrue(eventually(10_000, () -> replacement(server, before) > 0), "a replacement is spawned");
            final long replacement = replacement(server, before);

            // The survivor stopped: a connection waits in the listen backlog, and a replacement in
            // epoll on the listener would be woken for it. It must leave it there while it warms up.
            final long survivor = before.get(1);
            JobControl.stop(survivor);
            final TestClient waiting;
            try
            {
                waiting = new TestClient(server.port()).send(TestClient.burst(TestClient.control(7), TestClient.PING));
                Thread.sleep(HELD_FOR_MILLIS);
                final long acceptedWhileWarming = accepts(server, replacement);
                assertTrue(acceptedWhileWarming >= 0, "the counters are readable");
                assumeFalse(warmUpEnded(server, replacement), "the replacement's warm-up ended before the check: inconclusive");
                assertEquals(0, acceptedWhileWarming, "the replacement accepted nothing while warming up");
            }
            finally
            {
                JobControl.resume(survivor);
            }
            try (TestClient client = waiting)
            {
                client.expectPing();
                assertEquals(survivor, client.identify()[0], "the warm survivor took it once running again");
            }

            assertTrue(eventually(10_000, () -> isWarm(server, replacement)), "the replacement warms up within its bound");
            // Once warm it accepts. With EPOLLEXCLUSIVE the kernel may keep waking the survivor for
            // one client at a time, so the survivor goes: the survivor's own replacement holds its
            // accepts while it warms up, and the first replacement is the one worker left to accept.
            ProcessHandle.of(survivor).orElseThrow().destroyForcibly();
            // Connect once the master has reaped it: EPOLLEXCLUSIVE wakes one worker per connection,
            // and a wake-up that went to the dying survivor would leave the client in the backlog
            // until the next connection (or, here, the survivor's replacement warming up) came.
            final List<Long> afterKill = new ArrayList<>(before);
            afterKill.add(replacement);
            assertTrue(eventually(10_000, () -> replacement(server, afterKill) > 0), "the survivor was reaped and replaced");
            try (TestClient client = new TestClient(server.port()))
            {
                client.join(1000).send(TestClient.PING).expectPing();
                assertEquals(replacement, client.identify()[0], "the warm replacement accepted and serves");
            }
            assertTrue(accepts(server, replacement) > 0, "counted in its ACCEPTS");
            assertTrue(server.isAlive());
        }
    }

    @Test
    void aReplacementRunsInSchedIdleUntilWarmWhereItCanLeaveIt() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--warm-up", LONG_WARM_UP))
        {
            assertTrue(eventually(10_000, () -> server.logContains("replacement workers start")), "the master says how they start");
            final boolean idleStarts = server.logContains("replacement workers start in SCHED_IDLE");
            final List<Long> before = server.workerPids();
            // Eventually: a warm-up's own threads run idle and end after WARM, which the ready line waits for.
            assertTrue(eventually(10_000, () -> before.stream().allMatch(pid -> policies(pid).equals(Set.of(Posix.SCHED_OTHER)))),
                "a start: nobody to yield to");

            ProcessHandle.of(before.get(0)).orElseThrow().destroyForcibly();
            assertTrue(eventually(10_000, () -> replacement(server, before) > 0), "a replacement is spawned");
            final long replacement = replacement(server, before);
            // Its warm-up runs to its 3 s bound: long enough to see it before WARM.
            final int whileWarming = idleStarts ? Posix.SCHED_IDLE : Posix.SCHED_OTHER;
            // The JVM, not its launchers: chrt sets SCHED_IDLE, then execs taskset, which pins the
            // CPU before it execs java. In between, the pid is idle and not pinned yet (seen on a
            // slow CI spell, where an idle-policy process waits long for a CPU).
            assertTrue(eventually(10_000, () -> "java".equals(ProcFacts.program(replacement))
                && policies(replacement).equals(Set.of(whileWarming))),
                "the JVM, every thread in " + whileWarming + " while warming: " + ProcFacts.program(replacement) + " "
                    + policies(replacement));
            // Idle, it also starts on one CPU, the last of the master's (where there are several).
            final Set<BitSet> masterCpus = cpus(server.pid());
            assertEquals(1, masterCpus.size(), "the master's threads share their CPUs: " + masterCpus);
            final BitSet master = masterCpus.iterator().next();
            final boolean taskset = new File("/usr/bin/taskset").canExecute() || new File("/bin/taskset").canExecute();
            final boolean pinned = idleStarts && taskset && master.cardinality() > 1;
            final BitSet last = new BitSet();
            last.set(master.length() - 1);
            final Set<BitSet> cpusWhileWarming = cpus(replacement);
            assumeFalse(warmUpEnded(server, replacement), "the replacement's warm-up ended before the check: inconclusive");
            assertEquals(pinned ? Set.of(last) : Set.of(master), cpusWhileWarming,
                "every thread's CPUs while warming (master: " + master + ")");

            assertTrue(eventually(10_000, () -> isWarm(server, replacement)), "the replacement warms up within its bound");
            assertTrue(eventually(2_000, () -> policies(replacement).equals(Set.of(Posix.SCHED_OTHER))),
                "every thread at the default policy once warm: " + policies(replacement));
            assertEquals(idleStarts, server.logContains("worker " + replacement + " warm: "), "it says it left SCHED_IDLE");
            assertTrue(eventually(2_000, () -> cpus(replacement).equals(Set.of(master))),
                "every thread on the master's CPUs once warm: " + cpus(replacement));
        }
    }

    /** The CPU sets of the threads of process {@code pid} (sched_getaffinity; ThreadPriorityTest checks it against /proc). */
    private static Set<BitSet> cpus(final long pid)
    {
        return perThread(pid, tid ->
        {
            try
            {
                return Posix.cpuAffinity(tid);
            }
            catch (final PosixException ended)
            {
                return null;
            }
        });
    }

    /** The scheduling policies of the threads of process {@code pid}. */
    private static Set<Integer> policies(final long pid)
    {
        return perThread(pid, tid ->
        {
            final int policy = Posix.LIBC.sched_getscheduler(tid);
            return policy >= 0 ? policy : null;
        });
    }

    /** What {@code of} says of each thread of process {@code pid}; null (a thread that ended meanwhile) is left out. */
    private static <T> Set<T> perThread(final long pid, final IntFunction<T> of)
    {
        final Set<T> values = new HashSet<>();
        final String[] tasks = new File("/proc/" + pid + "/task").list();
        for (final String task : null == tasks ? new String[0] : tasks)
        {
            final T value = of.apply(Integer.parseInt(task));
            if (null != value)
            {
                values.add(value);
            }
        }
        return values;
    }

    private static long replacement(final ServerProcess server, final List<Long> before)
    {
        final Set<Long> now = new HashSet<>(server.workerPids());
        now.removeAll(before);
        return now.isEmpty() ? -1 : now.iterator().next();
    }

    /**
     * The worker's own line at the end of its warm-up. It is written before the worker leaves
     * SCHED_IDLE, takes the master's CPUs and accepts, while the master logs "warm in" only once it
     * has read the WARM that follows: a check made before this line is seen looked at a worker
     * still warming up.
     */
    private static boolean warmUpEnded(final ServerProcess server, final long pid)
    {
        return server.logContains("worker " + pid + " warm: its warm-up served");
    }

    private static boolean isWarm(final ServerProcess server, final long pid)
    {
        final String worker = "worker " + pid + " (slot";
        return server.logHasLine(worker, ") warm in") || server.logHasLine(worker, "taken as warm");
    }

    /** The ACCEPTS counter of worker {@code pid}, 0 if it has no counters yet, -1 if they could not be read. */
    private static long accepts(final ServerProcess server, final long pid)
    {
        try
        {
            return Math.max(0, server.workerCounter(pid, WorkerCounter.ACCEPTS));
        }
        catch (final java.io.UncheckedIOException ex)
        {
            return -1;
        }
    }
}
