package dev.mpserver.master.pump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.mpserver.master.InProcessMaster;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Posix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The O_ASYNC/poll switch on real channels (socketpairs; O_ASYNC read back with fcntl). The channels have no owner (F_SETOWN), so O_ASYNC raises no signal here;
 * sleeping is counted instead of done.
 */
class SignalOrPollIdleStrategyTest
{
    @TempDir
    Path runDir;

    private InProcessMaster master;
    private SignalOrPollIdleStrategy idle;
    private int sleeps;
    private boolean workWaiting;

    @BeforeEach
    void setUp()
    {
        master = new InProcessMaster(runDir, new PoolLimits(2, 2, 0, 2, 0), 100_000, 16);
        master.supervisor.startWorkers();
        setAsync(0, true);
        setAsync(1, true);
        idle = new SignalOrPollIdleStrategy(new ChannelAsyncSwitch(master.table, master.counters), master.pump::readEveryChannel,
            () -> workWaiting, () -> sleeps++, master.counters);
        master.pump.doWork(); // the spawns' first look
    }

    @AfterEach
    void close()
    {
        master.close();
    }

    private void setAsync(final int slot, final boolean on)
    {
        final int fd = master.slot(slot).channel.fd();
        final int flags = Posix.checked("fcntl", Posix.LIBC.fcntl(fd, Posix.F_GETFL, 0));
        Posix.checked("fcntl", Posix.LIBC.fcntl(fd, Posix.F_SETFL, on ? flags | Posix.O_ASYNC : flags & ~Posix.O_ASYNC));
    }

    private boolean isAsync(final int slot)
    {
        return 0 != (Posix.LIBC.fcntl(master.slot(slot).channel.fd(), Posix.F_GETFL, 0) & Posix.O_ASYNC);
    }

    private boolean everyChannelToBeRead()
    {
        return master.slot(0).readPending && master.slot(1).readPending;
    }

    @Test
    void aQuietPassSleepsUntilTheNextSignal()
    {
        idle.idle(0);
        idle.idle(SignalOrPollIdleStrategy.POLL_ENTER_FRAMES - 1);
        assertEquals(2, sleeps);
        assertFalse(idle.isPolling());
        assertTrue(isAsync(0) && isAsync(1));
    }

    @Test
    void signalsWaitingOrABackloggedChannelMeanNoSleep()
    {
        workWaiting = true;
        idle.idle(0);
        assertEquals(0, sleeps);
    }

    @Test
    void aBurstTurnsSignalsOffAndPollsEveryChannelUntilAPassReadsNothing()
    {
        idle.idle(SignalOrPollIdleStrategy.POLL_ENTER_FRAMES);
        assertTrue(idle.isPolling());
        assertFalse(isAsync(0) || isAsync(1), "O_ASYNC off on every channel");
        assertTrue(everyChannelToBeRead());
        assertEquals(1, master.count(MasterCounter.POLL_PHASES));

        master.pump.doWork();
        idle.idle(1);
        assertTrue(idle.isPolling(), "still frames: poll again");
        assertTrue(everyChannelToBeRead());
        assertEquals(0, sleeps);

        master.pump.doWork();
        idle.idle(0);
        assertFalse(idle.isPolling());
        assertTrue(isAsync(0) && isAsync(1), "O_ASYNC back on");
        assertTrue(everyChannelToBeRead(), "and every channel read once more before any sleep");
        assertEquals(0, sleeps);

        master.pump.doWork();
        idle.idle(0);
        assertEquals(1, sleeps);
        assertEquals(1, master.count(MasterCounter.POLL_PHASES));
    }

    @Test
    void aChannelThatCannotBeReArmedKeepsTheMasterPolling()
    {
        idle.idle(SignalOrPollIdleStrategy.POLL_ENTER_FRAMES);
        final int fd = master.slot(1).channel.fd();
        final int saved = Posix.LIBC.dup(fd);
        Posix.close(fd); // fcntl on it now fails with EBADF
        try
        {
            idle.idle(0);
            assertTrue(idle.isPolling());
            assertTrue(master.count(MasterCounter.SYSCALL_FAILURES) >= 1);
            assertEquals(0, sleeps);
        }
        finally
        {
            Posix.LIBC.dup2(saved, fd);
            Posix.close(saved);
        }
        idle.idle(0);
        assertFalse(idle.isPolling(), "re-armed once fcntl works again");
        assertTrue(isAsync(1));
    }
}
