package dev.mpserver.master.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.master.InProcessMaster;
import dev.mpserver.master.InProcessMaster.Received;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing in one process: fake workers write real HANDOFF and RETURN frames with real client fds
 * (socketpairs whose other end the test holds as the client) and read what the master sends.
 */
class HandoffRouterTest
{
    private static final int SHARD = 7;

    @TempDir
    Path runDir;

    private InProcessMaster master;
    private final List<Integer> fds = new ArrayList<>();
    private final UnsafeBuffer buffer = NativeMemory.allocate(256);

    @AfterEach
    void close()
    {
        fds.forEach(Posix::closeQuietly);
        if (null != master)
        {
            master.close();
        }
    }

    private void start(final int workers, final int maxWorkers, final int capacity)
    {
        master = new InProcessMaster(runDir, new PoolLimits(workers, maxWorkers, 0, maxWorkers, 0), capacity, 4);
        master.supervisor.startWorkers();
    }

    /** @return {client's end, server's end}: the server's end is what a worker hands to the master */
    private int[] client()
    {
        final int[] pair = Posix.socketPair();
        Posix.setNonBlocking(pair[0]);
        fds.add(pair[0]);
        return pair;
    }

    /** The worker in {@code slot} hands a client of {@code shard} to the master, which reads it. */
    private int[] handOff(final int slot, final int shard, final String state)
    {
        final int[] client = client();
        buffer.putStringWithoutLengthAscii(0, state);
        master.worker(slot).send(ChannelCommand.HANDOFF, shard, 0, master.slot(slot).pid, client[1], buffer, 0, state.length());
        master.pass();
        return client;
    }

    private String read(final int fd)
    {
        final long n = Posix.LIBC.recv(fd, buffer.addressOffset(), buffer.capacity(), 0);
        return n <= 0 ? "" : buffer.getStringWithoutLengthAscii(0, (int)n);
    }

    /** The client reads the refusal: 'E', the code, its text, '\0'. */
    private void assertRefused(final int[] client, final ErrorCode code)
    {
        final String frame = read(client[0]);
        assertTrue(frame.length() > 2, "no 'E' frame: '" + frame + "'");
        assertEquals(WireProtocol.ERROR, frame.charAt(0));
        assertEquals(code.code(), frame.charAt(1));
    }

    /** The fd the worker received is the client's: what is written to it, the client reads. */
    private void assertIsTheClient(final Received handoff, final int[] client)
    {
        buffer.putStringWithoutLengthAscii(0, "hello");
        Posix.LIBC.send(handoff.fd(), buffer.addressOffset(), 5, 0);
        Posix.closeQuietly(handoff.fd());
        assertEquals("hello", read(client[0]));
    }

    @Test
    void aNewShardGoesToTheLeastLoadedReadyWorkerWithTheClientAndItsStateUnopened()
    {
        start(2, 2, 100);
        master.ready(0);
        master.ready(1);
        master.slot(0).onHandoffSent(1); // slot 0 carries one client already
        final int[] client = handOff(0, SHARD, "session-state");
        final List<Received> frames = master.receivedBy(master.slot(1).pid);
        assertEquals(1, frames.size());
        assertEquals(ChannelCommand.HANDOFF, frames.get(0).command());
        assertEquals(SHARD, frames.get(0).shardId());
        assertEquals("session-state", frames.get(0).payload());
        assertIsTheClient(frames.get(0), client);
        assertEquals(1, master.shards.owner(SHARD));
        assertEquals(1, master.count(MasterCounter.HANDOFFS_ROUTED));
    }

    @Test
    void clientsOfAStartingWorkerWaitInTheMasterUntilItIsReady()
    {
        start(1, 1, 100);
        final int[] client = handOff(0, SHARD, "x");
        assertEquals(1, master.slot(0).pending.count());
        assertEquals(1, master.count(MasterCounter.HANDOFFS_QUEUED));
        master.ready(0);
        final List<Received> frames = master.receivedBy(master.slot(0).pid);
        assertEquals(ChannelCommand.HANDOFF, frames.get(0).command());
        assertEquals("x", frames.get(0).payload());
        assertIsTheClient(frames.get(0), client);
    }

    @Test
    void aReturnedClientOfAShardWithOtherClientsOnThatWorkerIsRefusedReadably()
    {
        start(2, 2, 100);
        master.ready(0);
        master.ready(1);
        final int[] client = client();
        master.worker(0).send(ChannelCommand.RETURN, SHARD, 3, master.slot(0).pid, client[1]);
        master.pass();
        assertRefused(client, ErrorCode.SERVER_FULL);
        assertEquals(1, master.count(MasterCounter.REJECTED_SHARD_WORKER_FULL));
        assertTrue(master.slot(0).isFull());
    }

    @Test
    void aReturnedClientOfAnOtherwiseEmptyShardMovesToAnotherWorker()
    {
        start(2, 2, 100);
        master.ready(0);
        master.ready(1);
        handOff(1, SHARD, "");
        final Received first = master.receivedBy(master.slot(0).pid).get(0);
        Posix.closeQuietly(first.fd());
        assertEquals(0, master.shards.owner(SHARD));

        final int[] client = client();
        master.worker(0).send(ChannelCommand.RETURN, SHARD, 0, master.slot(0).pid, client[1]);
        master.pass();
        assertEquals(List.of(ChannelCommand.SHARD_MOVED), master.commandsReceivedBy(master.slot(0).pid));
        final Received moved = master.receivedBy(master.slot(1).pid).get(0);
        assertEquals(ChannelCommand.HANDOFF, moved.command());
        assertIsTheClient(moved, client);
        assertEquals(1, master.shards.owner(SHARD));
        assertEquals(1, master.count(MasterCounter.HANDOFFS_REROUTED));
    }

    @Test
    void noWorkerWithRoomAndNoneToSpawnIsServerFull()
    {
        start(1, 1, 1);
        master.ready(0);
        master.slot(0).onLoadReport(1, 0, InProcessMaster.MAX_CLIENTS);
        final int[] client = handOff(0, SHARD, "");
        assertRefused(client, ErrorCode.SERVER_FULL);
        assertEquals(1, master.count(MasterCounter.REJECTED_SERVER_FULL));
    }

    @Test
    void aFullHandOffQueueIsShardBusy()
    {
        start(1, 1, 100);
        for (int i = 0; i < 4; i++)
        {
            handOff(0, SHARD, ""); // the worker is STARTING: its waiting list holds 4
        }
        final int[] client = handOff(0, SHARD, "");
        assertRefused(client, ErrorCode.SHARD_BUSY);
        assertEquals(1, master.count(MasterCounter.REJECTED_SHARD_BUSY));
    }

    @Test
    void theClientsOfALostWorkerGoElsewhere()
    {
        start(2, 2, 100);
        master.ready(0);
        master.ready(1);
        handOff(1, SHARD, "");
        Posix.closeQuietly(master.receivedBy(master.slot(0).pid).get(0).fd());
        master.processes.closeChannel(master.slot(0).pid); // worker 0 is dying: its channel closes
        master.pass();
        assertEquals(WorkerSlot.GONE, master.slot(0).state);
        assertEquals(ShardTable.NONE, master.shards.owner(SHARD));
        final int[] client = handOff(1, SHARD, "");
        assertIsTheClient(master.receivedBy(master.slot(1).pid).get(0), client);
    }

    @Test
    void onceStoppingEveryClientIsToldSo()
    {
        start(1, 1, 100);
        final int[] waiting = handOff(0, SHARD, "");
        master.shutdown.beginGraceful();
        assertRefused(waiting, ErrorCode.SHUTTING_DOWN);
        master.ready(0);
        final int[] late = client();
        master.router.route(SHARD, late[1], null, 0, 0);
        assertRefused(late, ErrorCode.SHUTTING_DOWN);
        assertEquals(2, master.count(MasterCounter.REJECTED_SHUTTING_DOWN));
    }
}
