package dev.mpserver.master.process;

import static dev.mpserver.master.process.FakeWorkerProcesses.exitedWith;
import static dev.mpserver.master.process.FakeWorkerProcesses.killedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import dev.mpserver.master.InProcessMaster;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's policy, driven with made-up pids and exit statuses ({@link FakeWorkerProcesses})
 * and a clock the test sets. Real processes are in the {@code it} tests (RoutingTest's respawn,
 * FatalWorkerExitTest, ReloadTest).
 */
class SupervisorTest
{
    private static final int EXIT_FATAL_CONFIG = 2;

    @TempDir
    Path runDir;

    private InProcessMaster master;
    private PoolLimits limits;

    private InProcessMaster start(final PoolLimits limits)
    {
        this.limits = limits;
        master = new InProcessMaster(runDir, limits, 1000, 64);
        master.atMillis(1_000);
        master.supervisor.startWorkers();
        return master;
    }

    @AfterEach
    void close()
    {
        if (null != master)
        {
            master.close();
        }
    }

    @Test
    void startsTheWorkersAndWritesTheReadyLineOnceWhenAllAreWarm()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        assertEquals(2, master.table.live());
        assertEquals(0, master.table.ready());
        master.ready(0);
        master.ready(1);
        assertEquals(List.of(), master.announced, "READY is not enough: the first clients should meet warm workers");
        master.warm(0);
        assertEquals(List.of(), master.announced, "one of two is not enough");
        master.warm(1);
        assertEquals(List.of(2), master.announced);
        master.worker(1).send(ChannelCommand.READY, 0, 0, master.slot(1).pid, -1);
        master.pass();
        assertEquals(List.of(2), master.announced, "never twice");
        assertEquals(WorkerSlot.READY, master.slot(1).state);
    }

    @Test
    void aWorkerThatNeverSaysWarmIsTakenAsWarmTenSecondsAfterReady()
    {
        start(new PoolLimits(1, 4, 0, 4, 0));
        master.atMillis(1_000);
        master.ready(0);
        master.atMillis(1_000 + Supervisor.WARM_WAIT_NANOS / 1_000_000 - 1);
        master.supervisor.onTick();
        assertEquals(List.of(), master.announced);
        master.atMillis(1_000 + Supervisor.WARM_WAIT_NANOS / 1_000_000);
        master.supervisor.onTick();
        assertEquals(List.of(1), master.announced, "a worker without warm-up does not hold the start up");
        assertTrue(master.slot(0).warm);
    }

    @Test
    void aWorkerThatLivedLongIsReplacedAtOnce()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        final int pid = master.slot(0).pid;
        master.atMillis(60_000);
        master.processes.exit(pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        assertEquals(2, master.table.live(), "replaced in the same reap");
        assertEquals(1, master.count(MasterCounter.DEATHS));
        assertEquals(0, master.count(MasterCounter.CRASHES));
        assertEquals(0, master.count(MasterCounter.RESPAWN_BACKOFF_MS));
        assertEquals(3, master.processes.spawned().size());
    }

    @Test
    void workersDyingYoungAreRespawnedAfterADoublingDelayCappedAtTenSeconds()
    {
        start(new PoolLimits(1, 4, 0, 4, 0));
        long now = 1_000;
        final long[] expectedDelays = {100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000};
        for (final long delay : expectedDelays)
        {
            now += 500; // dies 0.5 s after its spawn: young
            master.atMillis(now);
            master.processes.exit(master.slot(0).pid, exitedWith(1));
            master.supervisor.reap();
            assertEquals(delay, master.count(MasterCounter.RESPAWN_BACKOFF_MS));
            assertEquals(0, master.table.live(), "not at once");
            master.atMillis(now + delay - 1);
            master.supervisor.onTick();
            assertEquals(0, master.table.live(), "not before " + delay + " ms");
            now += delay;
            master.atMillis(now);
            master.supervisor.onTick();
            assertEquals(1, master.table.live(), "respawned after " + delay + " ms");
        }
        assertEquals(expectedDelays.length, master.count(MasterCounter.CRASHES));

        master.atMillis(now + 5_000); // this one lived 5 s: the backoff starts over
        master.processes.exit(master.slot(0).pid, exitedWith(1));
        master.supervisor.reap();
        assertEquals(0, master.count(MasterCounter.RESPAWN_BACKOFF_MS));
        assertEquals(1, master.table.live());
    }

    @Test
    void aWorkerWhoseChannelClosedIsReplacedOnlyOnceItsExitStatusIsKnown()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        final int pid = master.slot(0).pid;
        master.processes.closeChannel(pid); // exiting: the channel closes before SIGCHLD
        master.pass();
        assertEquals(WorkerSlot.GONE, master.slot(0).state);
        master.supervisor.onTick();
        assertEquals(1, master.table.live(), "not replaced before its exit status says whether to");
        master.processes.exit(pid, exitedWith(EXIT_FATAL_CONFIG));
        master.supervisor.reap();
        assertTrue(master.supervisor.fatalWorkerExit());
        assertEquals(1, master.table.live(), "a fatal configuration is not respawned");
        assertEquals(2, master.processes.spawned().size());
    }

    @Test
    void aWorkerWhoseChannelClosedButIsNotReapedIsReplacedAfterABound()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        master.atMillis(60_000);
        master.processes.closeChannel(master.slot(0).pid);
        master.pass();
        master.atMillis(60_000 + Supervisor.REAP_WAIT_NANOS / 1_000_000 - 1);
        master.supervisor.onTick();
        assertEquals(1, master.table.live());
        master.atMillis(60_000 + Supervisor.REAP_WAIT_NANOS / 1_000_000);
        master.supervisor.onTick();
        assertEquals(2, master.table.live(), "a process that never exits does not leave its slot unserved");
    }

    @Test
    void aWorkerExitingWithTheFatalStatusIsNotRespawned()
    {
        start(new PoolLimits(2, 4, 1, 4, 0));
        master.processes.exit(master.slot(0).pid, exitedWith(EXIT_FATAL_CONFIG));
        master.supervisor.reap();
        assertTrue(master.supervisor.fatalWorkerExit());
        master.atMillis(100_000);
        master.supervisor.onTick();
        assertEquals(1, master.table.live(), "neither replaced nor topped up to --min-spare");
        assertEquals(2, master.processes.spawned().size());
        master.processes.exit(master.slot(1).pid, exitedWith(EXIT_FATAL_CONFIG));
        master.supervisor.reap();
        assertEquals(0, master.table.processes(), "nothing left: the cycle stops the master with 2");
    }

    @Test
    void onlyWorkersTheSupervisorStartsWhileOthersServeStartIdle()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        final List<Integer> first = List.copyOf(master.processes.spawned());
        assertTrue(first.stream().noneMatch(master.processes::startedIdle), "a start: nobody serves yet");
        master.ready(0);
        master.ready(1);
        master.warm(0);
        master.warm(1);

        master.atMillis(60_000);
        master.processes.exit(master.slot(0).pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        final int replacement = last(master.processes.spawned());
        assertTrue(master.processes.startedIdle(replacement), "a replacement while slot 1 serves");

        final int forClients = master.spawner.spawnForClients();
        assertFalse(master.processes.startedIdle(master.slot(forClients).pid), "clients wait for its READY");

        master.supervisor.reload();
        final List<Integer> all = master.processes.spawned();
        assertTrue(all.subList(all.size() - 2, all.size()).stream().allMatch(master.processes::startedIdle),
            "a reload's generation while the old one serves");
    }

    /** Two workers READY and WARM, room for two more (a reload's generation). */
    private void startTwoWarmWorkers()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        master.ready(0);
        master.ready(1);
        master.warm(0);
        master.warm(1);
    }

    private static int last(final List<Integer> pids)
    {
        return pids.get(pids.size() - 1);
    }

    @Test
    void reloadStartsANewGenerationAndDrainsTheOldOneWhichIsNotReplacedWhenItExits()
    {
        startTwoWarmWorkers();
        final int old0 = master.slot(0).pid;
        final int old1 = master.slot(1).pid;
        master.supervisor.reload();
        master.pass();
        assertEquals(4, master.table.processes());
        master.ready(2);
        master.ready(3);
        master.warm(2);
        assertEquals(WorkerSlot.READY, master.slot(0).state, "the old generation serves until the new one is warm");
        assertEquals(List.of(), master.commandsReceivedBy(old0));
        master.warm(3);
        assertEquals(WorkerSlot.DRAINING, master.slot(0).state);
        assertEquals(WorkerSlot.DRAINING, master.slot(1).state);
        assertEquals(1, master.slot(2).generation);
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(old0));
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(old1));

        master.processes.exit(old0, exitedWith(0));
        master.processes.exit(old1, exitedWith(0));
        master.pass(); // their channels' close, seen before the reap as a rule: GONE, but still told to stop
        assertEquals(WorkerSlot.GONE, master.slot(0).state);
        master.supervisor.reap();
        assertEquals(2, master.table.processes(), "told to stop: not replaced");
        assertEquals(4, master.processes.spawned().size());
        assertEquals(0, master.count(MasterCounter.CRASHES), "nor a death");
    }

    /** Two workers READY and WARM, and the standby --standby 1 starts a while after they are. */
    private WorkerSlot startTwoWarmWorkersAndAStandby()
    {
        return startTwoWarmWorkersAndAStandby(new PoolLimits(2, 4, 0, 0, 0, 1));
    }

    private WorkerSlot startTwoWarmWorkersAndAStandby(final PoolLimits limits)
    {
        start(limits);
        master.supervisor.onTick();
        assertEquals(0, master.table.standby(), "not before the pool is warm: it would compete with the first workers");
        master.ready(0);
        master.ready(1);
        master.warm(0);
        master.warm(1);
        assertEquals(List.of(2), master.announced);
        assertStandbyStartsAfterTheDelay("nor while the first clients come in");
        final WorkerSlot standby = master.slot(2);
        assertTrue(master.processes.startedAsStandby(standby.pid));
        assertTrue(master.processes.startedIdle(standby.pid), "started as a replacement is, while others serve");
        master.ready(2);
        master.warm(2);
        return standby;
    }

    /** No standby starts until {@link PoolLimits#standbyDelayNanos} have passed; then one does. */
    private void assertStandbyStartsAfterTheDelay(final String why)
    {
        final int before = master.table.standby();
        master.supervisor.onTick();
        master.afterNanos(limits.standbyDelayNanos() - 1_000_000);
        master.supervisor.onTick();
        assertEquals(before, master.table.standby(), "no standby starts at once: " + why);
        master.afterNanos(1_000_000);
        master.supervisor.onTick();
        assertEquals(before + 1, master.table.standby(), "one starts " + limits.standbyDelayNanos() / 1_000_000 + " ms later");
    }

    @Test
    void aStandbyIsNoWorkerUntilAWorkerDiesThenTakesItsPlaceAndAnotherStandbyStarts()
    {
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby();
        assertEquals(2, master.table.live(), "a standby is not live: no shard, no client");
        assertEquals(2, master.table.warm());
        assertEquals(2, master.table.spare(), "the two idle workers, not the standby: --max-spare does not retire it");
        for (int i = 0; i < 10; i++)
        {
            assertTrue(master.placement.place() != standby.index, "placement never picks a standby");
        }
        master.supervisor.onTick();
        assertEquals(WorkerSlot.READY, standby.state, "idle above --max-spare 0, and kept");
        assertEquals(List.of(), master.commandsReceivedBy(standby.pid));

        master.atMillis(60_000);
        master.processes.exit(master.slot(0).pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        assertEquals(List.of(ChannelCommand.PROMOTE), master.commandsReceivedBy(standby.pid));
        assertFalse(standby.standby);
        assertEquals(2, master.table.live(), "the standby took the dead worker's place: no replacement worker");
        assertEquals(2, master.table.warm(), "and it is warm");
        assertEquals(1, master.count(MasterCounter.PROMOTIONS));
        assertEquals(3, master.processes.spawned().size(), "the dead worker's clients come back first: no JVM starts now");
        assertStandbyStartsAfterTheDelay("nor while they do");
        final int next = last(master.processes.spawned());
        assertTrue(master.processes.startedAsStandby(next), "a new standby behind it, a while later");
        assertEquals(1, master.table.standby());
        assertEquals(4, master.processes.spawned().size());
    }

    /** --workers 1, READY and WARM in slot 0; its standby spawned, the delay later, in slot 1. @return the standby */
    private WorkerSlot startOneWarmWorkerAndItsStandby(final PoolLimits limits)
    {
        start(limits);
        master.ready(0);
        master.warm(0);
        assertStandbyStartsAfterTheDelay("after the start");
        return master.slot(1);
    }

    /**
     * --workers 1 --max-workers 2 (one standby by default): a new shard the worker has no room for
     * goes to the standby, promoted, not to a third process beyond --max-workers; and no new
     * standby starts, as the two processes are --max-workers.
     */
    @Test
    void aNewShardNoWorkerHasRoomForTakesTheStandbyWithinMaxWorkers()
    {
        final WorkerSlot standby = startOneWarmWorkerAndItsStandby(new PoolLimits(1, 2, 0, 4, 0, 1));
        master.ready(standby.index);
        master.warm(standby.index);
        master.slot(0).onLoadReport(1000, 0, InProcessMaster.MAX_CLIENTS); // --worker-capacity 1000: full

        assertEquals(standby.index, master.placement.place());
        assertEquals(List.of(ChannelCommand.PROMOTE), master.commandsReceivedBy(standby.pid));
        assertEquals(1, master.count(MasterCounter.PROMOTIONS));
        assertEquals(2, master.processes.spawned().size(), "no third process");
        master.afterNanos(limits.standbyDelayNanos() * 2);
        master.supervisor.onTick();
        assertEquals(0, master.table.standby(), "two workers are --max-workers: no room for a standby");
        assertEquals(2, master.processes.spawned().size());

        standby.onLoadReport(1000, 0, InProcessMaster.MAX_CLIENTS);
        assertEquals(WorkerSlot.NO_SLOT, master.placement.place(), "both full: the client is refused, nothing starts");
        assertEquals(2, master.processes.spawned().size());
    }

    /** --min-spare starts idle workers within --max-workers, the standby counted. */
    @Test
    void minSpareStartsNoWorkerBeyondMaxWorkersWithTheStandby()
    {
        startOneWarmWorkerAndItsStandby(new PoolLimits(1, 2, 1, 4, 0, 1));
        master.slot(0).onLoadReport(5, 0, InProcessMaster.MAX_CLIENTS);
        master.supervisor.onTick();
        assertEquals(0, master.table.spare(), "no idle worker, and no room for one");
        assertEquals(2, master.processes.spawned().size(), "one worker and its standby are --max-workers 2");
    }

    @Test
    void aStandbyThatDiesIsReplacedByAStandbyAndPromotesNothing()
    {
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby();
        final int pid = standby.pid;
        master.atMillis(60_000);
        master.processes.exit(pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        assertEquals(0, master.count(MasterCounter.PROMOTIONS));
        assertEquals(2, master.table.live());
        assertTrue(master.processes.startedAsStandby(last(master.processes.spawned())));
        assertEquals(1, master.table.standby());
    }

    @Test
    void whenEveryWorkerExitsWithTheFatalStatusTheStandbyIsToldToQuitSoThatTheMasterStops()
    {
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby();
        master.processes.exit(master.slot(0).pid, exitedWith(EXIT_FATAL_CONFIG));
        master.supervisor.reap();
        assertEquals(List.of(), master.commandsReceivedBy(standby.pid), "not promoted: its configuration is the dead one's");
        master.processes.exit(master.slot(1).pid, exitedWith(EXIT_FATAL_CONFIG));
        master.supervisor.reap();
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(standby.pid), "no worker left to stand by for");
        assertEquals(WorkerSlot.DRAINING, standby.state);
        master.processes.exit(standby.pid, exitedWith(0));
        master.supervisor.reap();
        assertEquals(0, master.table.processes(), "nothing left: the cycle stops the master with 2");
    }

    @Test
    void aStandbyWhoseChannelCannotTakePromoteIsToldToQuitAndACommonReplacementStarts()
    {
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby();
        master.processes.closeChannel(standby.pid); // broken, not dead yet
        master.atMillis(60_000);
        master.processes.exit(master.slot(0).pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        assertEquals(0, master.count(MasterCounter.PROMOTIONS));
        assertEquals(WorkerSlot.DRAINING, standby.state, "off the listener for good: not a standby, not a worker");
        final List<Integer> spawned = master.processes.spawned();
        assertEquals(5, spawned.size());
        assertFalse(master.processes.startedAsStandby(spawned.get(3)), "the dead worker is replaced as without a standby");
        assertTrue(master.processes.startedAsStandby(spawned.get(4)), "and the lost standby by a standby");
        assertEquals(2, master.table.live());
        assertEquals(1, master.table.standby());
    }

    @Test
    void aWorkerRecycledAfterMaxServedHandsItsPlaceToTheStandby()
    {
        // --standby-delay 1s
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby(new PoolLimits(2, 4, 0, 4, 10, 1, 1_000_000_000L));
        master.slot(0).served = 10;
        master.supervisor.onTick();
        assertEquals(WorkerSlot.DRAINING, master.slot(0).state);
        assertEquals(List.of(ChannelCommand.PROMOTE), master.commandsReceivedBy(standby.pid));
        assertEquals(3, master.processes.spawned().size(), "promoted, not replaced by a cold worker");
        assertEquals(2, master.table.live());

        master.processes.exit(master.slot(0).pid, exitedWith(0));
        master.pass();
        master.supervisor.reap();
        assertEquals(0, master.count(MasterCounter.CRASHES), "the recycled worker's exit is the end it was told, not a death");
        assertEquals(1, master.count(MasterCounter.PROMOTIONS));
        assertEquals(2, master.table.live());
        assertEquals(3, master.processes.spawned().size());
    }

    @Test
    void aReloadDrainsTheStandbyAndTheNewGenerationGetsItsOwnOnceWarm()
    {
        final WorkerSlot standby = startTwoWarmWorkersAndAStandby();
        master.supervisor.reload();
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(standby.pid), "not promoted into the old generation");
        master.supervisor.onTick();
        assertEquals(0, master.table.standby(), "none while the reload is under way");
        final int newFirst = master.processes.spawned().size() - 2;
        for (final int pid : master.processes.spawned().subList(newFirst, newFirst + 2))
        {
            assertFalse(master.processes.startedAsStandby(pid));
        }
        for (int i = 0; i < master.table.capacity(); i++)
        {
            final WorkerSlot slot = master.slot(i);
            if (slot.generation == 1 && slot.state == WorkerSlot.STARTING)
            {
                master.ready(i);
                master.warm(i);
            }
        }
        assertStandbyStartsAfterTheDelay("nor while the new generation meets its first clients");
        final int newStandby = last(master.processes.spawned());
        assertTrue(master.processes.startedAsStandby(newStandby));
    }

    @Test
    void idleWorkersAboveMaxSpareRetireButNeverBelowWorkers()
    {
        start(new PoolLimits(1, 4, 0, 1, 0));
        master.spawner.spawn(); // as placement does in a burst
        master.spawner.spawn();
        assertEquals(3, master.table.live());
        for (int slot = 0; slot < 3; slot++)
        {
            master.ready(slot);
        }
        master.supervisor.onTick();
        assertEquals(WorkerSlot.DRAINING, master.slot(0).state, "3 idle, --max-spare 1");
        assertEquals(WorkerSlot.DRAINING, master.slot(1).state);
        assertEquals(WorkerSlot.READY, master.slot(2).state, "--workers 1 stays");
        assertTrue(master.commandsReceivedBy(master.slot(0).pid).contains(ChannelCommand.QUIT));
    }

    @Test
    void aWorkerIsRecycledAfterMaxServedClientsAndReplacedAtOnce()
    {
        start(new PoolLimits(1, 4, 0, 4, 10));
        master.ready(0);
        master.slot(0).served = 10;
        master.supervisor.onTick();
        assertEquals(WorkerSlot.DRAINING, master.slot(0).state);
        assertEquals(WorkerSlot.STARTING, master.slot(1).state, "its replacement");
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(master.slot(0).pid));
    }

    @Test
    void minSpareKeepsAnIdleWorkerReady()
    {
        start(new PoolLimits(1, 3, 1, 3, 0));
        master.supervisor.onTick();
        assertEquals(1, master.table.live(), "the one worker is idle: it is the spare");
        master.slot(0).onLoadReport(5, 0, InProcessMaster.MAX_CLIENTS);
        master.supervisor.onTick();
        assertEquals(2, master.table.live(), "a spare besides the loaded one");
        assertEquals(1, master.table.spare());
    }

    /**
     * Jars replaced under a running master (a package upgrade): a reload would start workers of
     * another build. It is refused, counted, and the running generation keeps serving; a crashed
     * worker is not replaced by one of the new build either. Once the jars are the master's again
     * (a rollback), both work.
     */
    @Test
    void aReloadOrRespawnFromJarsThatAreNoLongerTheMastersIsRefusedAndTheRunningWorkersKeepServing()
    {
        startTwoWarmWorkers();
        final int old0 = master.slot(0).pid;
        master.processes.buildChange("lib/mpserver-protocol.jar was replaced");
        master.supervisor.reload();
        master.pass();
        assertEquals(1, master.count(MasterCounter.RELOADS_REFUSED));
        assertEquals(2, master.processes.spawned().size(), "no new generation");
        assertEquals(0, master.table.generation());
        assertEquals(List.of(), master.commandsReceivedBy(old0), "the running workers are not told to drain");

        master.processes.exit(old0, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        master.atMillis(2_000);
        master.supervisor.onTick();
        assertEquals(2, master.processes.spawned().size(), "not replaced by a worker of the new build");
        assertTrue(master.count(MasterCounter.SPAWN_FAILURES) > 0);

        master.processes.buildChange(null);
        master.atMillis(20_000);
        master.supervisor.onTick();
        assertEquals(2, master.table.live(), "replaced once the jars are the master's again");
        master.supervisor.reload();
        assertEquals(1, master.table.generation());
        assertEquals(1, master.count(MasterCounter.RELOADS_REFUSED));
    }

    @Test
    void aFailedSpawnIsCountedAndRetriedAfterTheMinimumDelay()
    {
        master = new InProcessMaster(runDir, new PoolLimits(1, 2, 0, 2, 0), 1000, 64);
        master.atMillis(1_000);
        master.processes.failSpawns(true);
        master.supervisor.startWorkers();
        master.supervisor.onTick();
        assertEquals(2, master.count(MasterCounter.SPAWN_FAILURES));
        master.processes.failSpawns(false);
        master.atMillis(1_099);
        master.supervisor.onTick();
        assertEquals(0, master.table.live(), "not within 100 ms of the failure");
        master.atMillis(1_100);
        master.supervisor.onTick();
        assertEquals(1, master.table.live());
    }

    @Test
    void nothingIsRespawnedOnceAStopBegan()
    {
        start(new PoolLimits(2, 4, 0, 4, 0));
        master.shutdown.beginFast();
        master.processes.exit(master.slot(0).pid, killedBy(Signals.SIGKILL));
        master.supervisor.reap();
        master.supervisor.reload();
        master.supervisor.onTick();
        assertEquals(1, master.table.processes());
        assertEquals(2, master.processes.spawned().size());
        assertFalse(master.supervisor.fatalWorkerExit());
    }
}
