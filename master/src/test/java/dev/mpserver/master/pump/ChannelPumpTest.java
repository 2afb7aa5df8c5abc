package dev.mpserver.master.pump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.mpserver.master.InProcessMaster;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.MasterCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pump over real channels (socketpairs) with a fake worker at the other end. */
class ChannelPumpTest
{
    @TempDir
    Path runDir;

    private InProcessMaster master;

    @BeforeEach
    void setUp()
    {
        master = new InProcessMaster(runDir, new PoolLimits(2, 2, 0, 2, 0), 100_000, 16);
        master.supervisor.startWorkers();
        master.pump.doWork(); // the spawns' first look
    }

    @AfterEach
    void close()
    {
        master.close();
    }

    @Test
    void onlyChannelsThatSignalledOrWereMarkedAreRead()
    {
        master.worker(1).send(ChannelCommand.READY, 0, 0, master.slot(1).pid, ChannelFrame.NO_FD);
        master.pump.onChannelSignal(master.slot(0).channel.fd());
        assertEquals(0, master.pump.doWork(), "slot 1 wrote, but only slot 0 signalled");
        master.pump.onChannelSignal(-5);
        master.pump.onChannelSignal(master.slot(1).channel.fd());
        assertEquals(1, master.pump.doWork());
        assertEquals(1, master.table.ready());
    }

    @Test
    void framesOutAreCountedAsTheyGo()
    {
        master.ready(0);
        master.ready(1);
        master.slot(0).channel.post(ChannelCommand.QUIT, 0, 0, 1, ChannelFrame.NO_FD);
        master.slot(1).channel.post(ChannelCommand.QUIT, 0, 0, 1, ChannelFrame.NO_FD);
        master.pump.flush();
        assertEquals(2, master.count(MasterCounter.FRAMES_OUT));
    }

    @Test
    void theReceiveBudgetLeavesABusyChannelMarkedAndTheLoopAwake()
    {
        final Channel worker = master.worker(0);
        final int frames = 2 * ChannelPump.RECEIVE_BUDGET;
        for (int i = 0; i < frames; i++)
        {
            // Posted: sent 64 frames a sendmsg, 64 KB in all, which the socket holds.
            assertEquals(Channel.QUEUED, worker.post(ChannelCommand.SHARD_GONE, i, 0, 1, ChannelFrame.NO_FD));
        }
        assertEquals(0, worker.flush());
        master.pump.onChannelSignal(master.slot(0).channel.fd());
        // A read takes what its buffer holds; no read starts once the budget is spent.
        final int first = master.pump.doWork();
        assertTrue(first >= ChannelPump.RECEIVE_BUDGET && first < frames, "read " + first);
        assertTrue(master.pump.backlogged(), "the loop must not sleep: no new signal will come for the rest");
        assertTrue(master.slot(0).readPending);
        assertEquals(frames - first, master.pump.doWork());
        assertFalse(master.pump.backlogged());
        assertFalse(master.slot(0).readPending);
        assertEquals(frames, master.count(MasterCounter.FRAMES_IN));
    }
}
