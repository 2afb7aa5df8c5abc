package dev.mpserver.master;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.FakeWorkerProcesses;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.master.process.ShutdownSequence;
import dev.mpserver.master.process.Supervisor;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerSpawner;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.pump.ChannelPump;
import dev.mpserver.master.routing.ClientRefusal;
import dev.mpserver.master.routing.HandoffRouter;
import dev.mpserver.master.routing.Placement;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.shard.SharedShardTable;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The master's collaborators wired as {@link Master} wires them, on one thread, without signals or
 * processes: workers are {@link FakeWorkerProcesses} (real socketpairs, made-up pids), time is a
 * clock the test sets, and a test runs the cycle's passes itself. For tests of the master's
 * policies; the real-process tests are in {@code it}.
 */
public final class InProcessMaster implements AutoCloseable
{
    public static final int MASTER_PID = 4242;
    public static final int MAX_CLIENTS = 1000;
    public static final long DRAIN_TIMEOUT_MS = 1_000;
    private static final int SHARD_TABLE_SETS = 1 << 10;
    public static final long GRACE_PERIOD_MS = 500;
    private static final long LINGER_NANOS = 1_000_000_000L;
    private static final long SHARD_TTL_MS = 60_000;

    /** A frame a fake worker read from the master. */
    public record Received(int command, int shardId, int load, int fd, String payload)
    {
    }

    public final CachedNanoClock clock = new CachedNanoClock();
    public final FakeWorkerProcesses processes = new FakeWorkerProcesses();
    public final MasterCounters counters;
    public final WorkerTable table;
    public final ShardTable shards;
    public final WorkerSpawner spawner;
    public final ClientRefusal refusal;
    public final ShutdownSequence shutdown;
    public final Placement placement;
    public final HandoffRouter router;
    public final Supervisor supervisor;
    public final ChannelPump pump;
    /** What the ready line said, each time it was written. */
    public final List<Integer> announced = new ArrayList<>();

    public InProcessMaster(final Path runDir, final PoolLimits limits, final int workerCapacity, final int handoffQueue)
    {
        counters = new MasterCounters(CountersFile.forMaster(runDir, MASTER_PID));
        table = new WorkerTable(limits.maxWorkers() * 2, handoffQueue);
        shards = new ShardTable(SharedShardTable.create(
            runDir.resolve(SharedShardTable.FILE_NAME), SHARD_TABLE_SETS, table.capacity(), workerCapacity, true));
        final MasterWiring wired = new MasterWiring(new MasterWiring.Settings(MASTER_PID, limits, workerCapacity, MAX_CLIENTS,
            handoffQueue, true, LINGER_NANOS, DRAIN_TIMEOUT_MS, GRACE_PERIOD_MS, SHARD_TTL_MS, runDir), table, shards, processes,
            counters, clock, announced::add, new HopLatency());
        spawner = wired.spawner;
        refusal = wired.refusal;
        shutdown = wired.shutdown;
        placement = wired.placement;
        router = wired.router;
        supervisor = wired.supervisor;
        pump = wired.pump;
    }

    /** Sets the master's clock. */
    public void atMillis(final long millis)
    {
        clock.update(millis * 1_000_000L);
    }

    /** Moves the master's clock on. */
    public void afterNanos(final long nanos)
    {
        clock.update(clock.nanoTime() + nanos);
    }

    /** One pass of the cycle's channel work: every channel read, its frames dispatched, every queue flushed. */
    public int pass()
    {
        pump.readEveryChannel();
        final int frames = pump.doWork();
        pump.flush();
        return frames;
    }

    public WorkerSlot slot(final int index)
    {
        return table.slot(index);
    }

    /** The worker's end of the channel of the worker in {@code slot}. */
    public Channel worker(final int slot)
    {
        return processes.worker(table.slot(slot).pid);
    }

    /** The worker in {@code slot} says READY, and the master reads it. */
    public void ready(final int slot)
    {
        worker(slot).send(ChannelCommand.READY, 0, 0, table.slot(slot).pid, ChannelFrame.NO_FD);
        pass();
    }

    /** The worker in {@code slot} says WARM (its warm-up done), and the master reads it. */
    public void warm(final int slot)
    {
        worker(slot).send(ChannelCommand.WARM, 0, 0, table.slot(slot).pid, ChannelFrame.NO_FD);
        pass();
    }

    /** Every frame the worker {@code pid} has been sent so far (fds it carried are the test's to close). */
    public List<Received> receivedBy(final int pid)
    {
        final List<Received> frames = new ArrayList<>();
        processes.worker(pid).receive((frame, fd) -> frames.add(new Received(frame.command(), frame.shardId(), frame.load(), fd,
            frame.buffer().getStringWithoutLengthAscii(frame.payloadOffset(), frame.payloadLength()))));
        return frames;
    }

    /** The commands of {@link #receivedBy}, closing any fd. */
    public List<Integer> commandsReceivedBy(final int pid)
    {
        final List<Integer> commands = new ArrayList<>();
        for (final Received frame : receivedBy(pid))
        {
            commands.add(frame.command());
            Posix.closeQuietly(frame.fd());
        }
        return commands;
    }

    public long count(final MasterCounter counter)
    {
        return counters.get(counter);
    }

    @Override
    public void close()
    {
        for (int i = 0; i < table.capacity(); i++)
        {
            if (null != table.slot(i).channel)
            {
                table.slot(i).channel.close();
            }
        }
        refusal.closeAll();
        processes.close();
        counters.close();
    }
}
