package dev.mpserver.master;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.PoolLimits;
import dev.mpserver.master.process.SpawnedWorker;
import dev.mpserver.master.process.WorkerProcesses;
import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.pump.ChannelPump;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.shard.SharedShardTable;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The master's rehearsal before its ready line, as every worker rehearses before WARM: hand-offs of
 * synthetic clients through the master's own routing classes (channel pump, frame dispatch,
 * router, shard table, placement, channel queues, SCM_RIGHTS both ways), so that the JIT has
 * compiled them before real clients come. Measured (docs/benchmarks.md, fourth session): the first
 * 500 clients after a start met a route p99 of 1–7 ms against 0.3–0.6 ms later, the master
 * spending twice the CPU per hand-off, half in the interpreter and half in its C1 compiler thread.
 *
 * <pre>
 *   stand-in worker A ──HANDOFF + fd──▶ ┌──────────────────────────────┐ ──fd──▶ stand-in worker A or B
 *   stand-in worker B ──HANDOFF + fd──▶ │ pump → dispatcher → router   │          (closes it)
 *                                       │ (private tables and counters) │
 *                                       └──────────────────────────────┘
 * </pre>
 *
 * Everything it uses is its own: a worker table of two stand-in slots (socketpairs, no process),
 * a shard table, counters in a temporary directory, and dups of one socket as the clients'
 * fds. It logs nothing, touches none of the master's state, and ends by closing every fd it
 * opened. Bounded in hand-offs and in time; a failure ends it early and is only logged by the
 * caller.
 */
final class MasterRehearsal implements Runnable
{
    /** Beyond C1's thresholds for every method on the way (200 calls, or 2 000 with loops), with a margin. */
    static final int HANDOFFS = 4_000;
    private static final int STAND_INS = 2;
    private static final int SHARDS = 1_024;
    /** Room for 7 168 shards, ample for {@link #SHARDS}. */
    private static final int SHARD_TABLE_SETS = 1 << 10;
    /** Hand-offs each stand-in posts per pass: a worker's batch of accepts. */
    private static final int BATCH = 8;
    private static final int QUEUE = 256;
    private static final long BUDGET_NANOS = 2_000_000_000L;
    /** Pids that no process has (above Linux's pid_max): nothing is ever signalled or reaped. */
    private static final int FIRST_STAND_IN_PID = Integer.MAX_VALUE - STAND_INS;
    /** An emptied shard's time-to-live that never ends within the rehearsal (and does not overflow as nanoseconds). */
    private static final long NEVER_MS = Long.MAX_VALUE / 1_000_000L;

    private final int maxClients;
    private volatile int routed;

    /** @param maxClients the master's --max-clients, so that placement sees room as it does for real */
    MasterRehearsal(final int maxClients)
    {
        this.maxClients = maxClients;
    }

    /** @return hand-offs that came back through the router (0 until {@link #run} is done) */
    int routed()
    {
        return routed;
    }

    @Override
    public void run()
    {
        final Path directory;
        try
        {
            directory = Files.createTempDirectory("mpserver-rehearsal");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final List<Channel> standIns = new ArrayList<>();
        final int[] clientPair = Posix.socketPair();
        final MasterCounters counters = new MasterCounters(CountersFile.forMaster(directory, FIRST_STAND_IN_PID));
        final WorkerTable table = new WorkerTable(STAND_INS, QUEUE);
        final SharedShardTable shards = SharedShardTable.create(
            directory.resolve(SharedShardTable.FILE_NAME), SHARD_TABLE_SETS, STAND_INS, Integer.MAX_VALUE, false);
        try
        {
            final ChannelPump pump = pump(counters, table, shards, directory);
            for (int i = 0; i < STAND_INS; i++)
            {
                standIns.add(standIn(table.slot(i), FIRST_STAND_IN_PID + i));
                table.attach(table.slot(i));
            }
            routed = handOff(pump, table, standIns, clientPair[0]);
        }
        finally
        {
            for (final Channel standIn : standIns)
            {
                standIn.close();
            }
            for (int i = 0; i < STAND_INS; i++)
            {
                final Channel master = table.slot(i).channel;
                if (null != master)
                {
                    master.close();
                }
            }
            Posix.closeQuietly(clientPair[0]);
            Posix.closeQuietly(clientPair[1]);
            counters.close();
            shards.close();
            deleteQuietly(directory);
        }
    }

    /** The master's frame path, wired as {@link Master} wires it ({@link MasterWiring}), over {@code table}. */
    private ChannelPump pump(final MasterCounters counters, final WorkerTable table, final SharedShardTable shards, final Path directory)
    {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(System.nanoTime());
        final MasterWiring.Settings settings = new MasterWiring.Settings(FIRST_STAND_IN_PID,
            new PoolLimits(STAND_INS, STAND_INS, 0, STAND_INS, 0), Integer.MAX_VALUE, maxClients, QUEUE, false,
            1L, 1L, 1L, NEVER_MS, directory);
        return new MasterWiring(settings, table, new ShardTable(shards), new NoProcesses(), counters, clock, ready -> { },
            new HopLatency()).pump;
    }

    /** A READY, warm slot whose worker is the returned end of a socketpair: no process, no log line. */
    private static Channel standIn(final WorkerSlot slot, final int pid)
    {
        final int[] pair = Posix.socketPair();
        Posix.setNonBlocking(pair[0]);
        Posix.setNonBlocking(pair[1]);
        slot.start(pid, 0, new Channel(pair[0], QUEUE), false, System.nanoTime());
        slot.state = WorkerSlot.READY;
        slot.warm = true;
        return new Channel(pair[1], QUEUE);
    }

    /** @return hand-offs routed back to a stand-in; each pass as the master's cycle makes it after channel signals */
    private static int handOff(final ChannelPump pump, final WorkerTable table, final List<Channel> standIns, final int clientFd)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final long deadline = System.nanoTime() + BUDGET_NANOS;
        final int[] back = new int[1];
        int sent = 0;
        while (back[0] < HANDOFFS && System.nanoTime() - deadline < 0)
        {
            for (int i = 0; i < standIns.size() && sent < HANDOFFS; i++)
            {
                final Channel standIn = standIns.get(i);
                for (int b = 0; b < BATCH && sent < HANDOFFS; b++)
                {
                    final int fd = Posix.LIBC.dup(clientFd);
                    if (fd < 0 || standIn.post(ChannelCommand.HANDOFF, random.nextInt(SHARDS), 0, FIRST_STAND_IN_PID + i, fd)
                        != Channel.QUEUED)
                    {
                        Posix.closeQuietly(fd);
                        break;
                    }
                    sent++;
                }
                standIn.flush();
            }
            for (int i = 0; i < STAND_INS; i++)
            {
                pump.onChannelSignal(table.slot(i).channel.fd()); // as the channel's RT signal names it
            }
            pump.doWork();
            pump.flush();
            for (final Channel standIn : standIns)
            {
                standIn.receive((frame, fd) ->
                {
                    if (fd >= 0)
                    {
                        Posix.closeQuietly(fd);
                        back[0]++;
                    }
                });
            }
        }
        return back[0];
    }

    private static void deleteQuietly(final Path directory)
    {
        try (var files = Files.list(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        }
        catch (final IOException ignored)
        {
            // a temporary directory left behind is all
        }
    }

    /** Stand-ins are not processes: nothing to spawn, reap or signal. */
    private static final class NoProcesses implements WorkerProcesses
    {
        @Override
        public SpawnedWorker spawn(final int slot, final boolean acceptWhenWarm, final boolean startIdle, final boolean standby)
        {
            throw new IllegalStateException("the rehearsal starts no worker");
        }

        @Override
        public int reap(final int pid)
        {
            return -1;
        }

        @Override
        public int signal(final int pid, final int signo)
        {
            return Errno.ESRCH;
        }
    }
}
