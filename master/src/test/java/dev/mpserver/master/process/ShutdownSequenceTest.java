package dev.mpserver.master.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;

import dev.mpserver.master.InProcessMaster;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.posix.Signals;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The escalation QUIT → QUIT_NOW (or SIGTERM) → SIGKILL and its deadlines, with made-up workers;
 * ShutdownTest has the same with real ones.
 */
class ShutdownSequenceTest
{
    private static final long START_MS = 10_000;

    @TempDir
    Path runDir;

    private InProcessMaster master;
    private int worker0;
    private int worker1;

    @BeforeEach
    void start()
    {
        master = new InProcessMaster(runDir, new PoolLimits(2, 2, 0, 2, 0), 100, 16);
        master.atMillis(START_MS);
        master.supervisor.startWorkers();
        master.ready(0);
        master.ready(1);
        worker0 = master.slot(0).pid;
        worker1 = master.slot(1).pid;
    }

    @AfterEach
    void close()
    {
        master.close();
    }

    private void tickAt(final long millis)
    {
        master.atMillis(millis);
        master.shutdown.onTick();
    }

    @Test
    void gracefulIsQuitThenQuitNowAtTheDrainTimeoutThenSigkillAfterTheGracePeriod()
    {
        master.shutdown.beginGraceful();
        assertFalse(master.shutdown.isRunning());
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(worker0));
        assertEquals(List.of(ChannelCommand.QUIT), master.commandsReceivedBy(worker1));
        assertEquals(WorkerSlot.DRAINING, master.slot(0).state);

        tickAt(START_MS + InProcessMaster.DRAIN_TIMEOUT_MS - 1);
        assertEquals(List.of(), master.commandsReceivedBy(worker0), "the workers are finishing their clients");
        tickAt(START_MS + InProcessMaster.DRAIN_TIMEOUT_MS);
        assertEquals(ShutdownSequence.STOPPING, master.shutdown.state());
        assertEquals(List.of(ChannelCommand.QUIT_NOW), master.commandsReceivedBy(worker0));
        assertEquals(List.of(ChannelCommand.QUIT_NOW), master.commandsReceivedBy(worker1));

        master.processes.exit(worker1, FakeWorkerProcesses.exitedWith(0));
        master.supervisor.reap();
        tickAt(START_MS + InProcessMaster.DRAIN_TIMEOUT_MS + InProcessMaster.GRACE_PERIOD_MS - 1);
        assertEquals(List.of(), master.processes.signalsTo(worker0));
        tickAt(START_MS + InProcessMaster.DRAIN_TIMEOUT_MS + InProcessMaster.GRACE_PERIOD_MS);
        assertEquals(List.of(Signals.SIGKILL), master.processes.signalsTo(worker0));
        assertEquals(List.of(), master.processes.signalsTo(worker1), "reaped already");
        assertEquals(ShutdownSequence.KILLED, master.shutdown.state());
        tickAt(START_MS + 60_000);
        assertEquals(List.of(Signals.SIGKILL), master.processes.signalsTo(worker0), "once");
    }

    @Test
    void fastIsQuitNowThenSigkillAfterTheGracePeriodAndASecondStopChangesNothing()
    {
        master.shutdown.beginFast();
        assertEquals(List.of(ChannelCommand.QUIT_NOW), master.commandsReceivedBy(worker0));
        master.atMillis(START_MS + 100);
        master.shutdown.beginFast();
        master.shutdown.beginGraceful();
        assertEquals(List.of(), master.commandsReceivedBy(worker0));
        tickAt(START_MS + InProcessMaster.GRACE_PERIOD_MS - 1);
        assertEquals(List.of(), master.processes.signalsTo(worker0));
        tickAt(START_MS + InProcessMaster.GRACE_PERIOD_MS);
        assertEquals(List.of(Signals.SIGKILL), master.processes.signalsTo(worker0));
    }

    @Test
    void aFastStopDuringAGracefulOneCutsTheDrainShort()
    {
        master.shutdown.beginGraceful();
        master.commandsReceivedBy(worker0);
        master.atMillis(START_MS + 200);
        master.shutdown.beginFast();
        assertEquals(List.of(ChannelCommand.QUIT_NOW), master.commandsReceivedBy(worker0));
        tickAt(START_MS + 200 + InProcessMaster.GRACE_PERIOD_MS);
        assertEquals(List.of(Signals.SIGKILL), master.processes.signalsTo(worker0));
    }

    @Test
    void aWorkerWhoseChannelCannotTakeQuitNowGetsSigterm()
    {
        master.processes.closeChannel(worker0);
        master.shutdown.beginFast();
        assertEquals(List.of(Signals.SIGTERM), master.processes.signalsTo(worker0));
        assertEquals(List.of(), master.processes.signalsTo(worker1), "its channel took QUIT_NOW");
    }
}
