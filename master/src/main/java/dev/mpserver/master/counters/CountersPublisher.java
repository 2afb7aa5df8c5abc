package dev.mpserver.master.counters;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.routing.ClientRefusal;
import dev.mpserver.master.routing.Placement;
import dev.mpserver.master.routing.ShardTable;
import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.MasterCounter;
import org.agrona.concurrent.CachedNanoClock;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's gauges: levels computed from its state (workers, shards, clients, backlog, SigQ),
 * set every {@value #PUBLISH_INTERVAL_MS} ms and at exit, with the heartbeat. Events are counted
 * where they happen, in place ({@link MasterCounters}); only what has no single event is set here.
 * Also the SIGUSR1 status log.
 */
public final class CountersPublisher
{
    private static final Logger LOG = LogManager.getLogger(CountersPublisher.class);
    private static final long PUBLISH_INTERVAL_MS = 50;
    private static final long PUBLISH_INTERVAL_NANOS = PUBLISH_INTERVAL_MS * 1_000_000L;
    /** SigQ costs a read of /proc: once a second is enough to see a storm build up. */
    private static final long SIGQ_INTERVAL_NANOS = 1_000_000_000L;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");
    private static final String SIGQ = "SigQ:";

    private final WorkerTable table;
    private final ShardTable shards;
    private final Placement placement;
    private final ClientRefusal refusal;
    private final MasterCounters counters;
    private final CachedNanoClock clock;
    private final HopLatency toMaster;
    private long lastPublishNanos;
    private long lastSigQNanos;

    public CountersPublisher(
        final WorkerTable table, final ShardTable shards, final Placement placement, final ClientRefusal refusal,
        final MasterCounters counters, final CachedNanoClock clock, final HopLatency toMaster)
    {
        this.toMaster = toMaster;
        this.table = table;
        this.shards = shards;
        this.placement = placement;
        this.refusal = refusal;
        this.counters = counters;
        this.clock = clock;
    }

    /** The limits stat names when it explains refusals: fixed for the life of the master. */
    public void publishLimits(final int maxWorkers, final int maxClients, final int workerCapacity)
    {
        counters.set(MasterCounter.MAX_WORKERS, maxWorkers);
        counters.set(MasterCounter.MAX_CLIENTS, maxClients);
        counters.set(MasterCounter.WORKER_CAPACITY, workerCapacity);
    }

    /** After every pass of the cycle: publishes if the interval has passed. */
    public void onPass()
    {
        if (clock.nanoTime() - lastPublishNanos >= PUBLISH_INTERVAL_NANOS)
        {
            publish();
        }
    }

    public void publish()
    {
        final long nowNanos = clock.nanoTime();
        lastPublishNanos = nowNanos;
        if (nowNanos - lastSigQNanos >= SIGQ_INTERVAL_NANOS)
        {
            lastSigQNanos = nowNanos;
            readSigQ();
            toMaster.roll();
            counters.set(MasterCounter.HOP_TO_MASTER_P50_US, toMaster.p50Micros());
            counters.set(MasterCounter.HOP_TO_MASTER_P99_US, toMaster.p99Micros());
            counters.set(MasterCounter.HOP_TO_MASTER_MAX_US, toMaster.maxMicros());
        }
        int clients = 0;
        int backlog = 0;
        int full = 0;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.state != WorkerSlot.FREE)
            {
                clients += slot.load();
                backlog += slot.pending.count() + (null != slot.channel ? slot.channel.queuedFrames() : 0);
                full += slot.isLive() && !placement.hasRoom(slot) ? 1 : 0;
            }
        }
        counters.set(MasterCounter.WORKERS_FULL, full);
        refusal.publishTo(counters);
        counters.set(MasterCounter.WORKERS, table.processes());
        counters.set(MasterCounter.STANDBYS, table.standby());
        counters.set(MasterCounter.SHARDS, shards.size());
        counters.set(MasterCounter.CLIENTS, clients);
        counters.set(MasterCounter.HANDOFF_BACKLOG, backlog);
        counters.heartbeat();
    }

    /** SIGUSR1: the worker table and the counters, in the log. */
    public void logStatus()
    {
        LOG.info("SIGUSR1 status: {} shards, counters {}", shards.size(), counters);
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.state != WorkerSlot.FREE)
            {
                LOG.info("  slot {} pid {} {}{} gen {} load {}{} shards {} served {}", slot.index, slot.pid,
                    WorkerSlot.stateName(slot.state), slot.standby ? " standby" : "", slot.generation, slot.load(), slot.isFull() ? " (full)" : "",
                    shards.countOf(slot.index), slot.served);
            }
        }
    }

    /** SigQ from /proc/self/status: RT signals queued for this user / RLIMIT_SIGPENDING. */
    private void readSigQ()
    {
        try (BufferedReader status = Files.newBufferedReader(PROC_STATUS))
        {
            String line;
            while ((line = status.readLine()) != null)
            {
                if (line.startsWith(SIGQ))
                {
                    final String[] parts = line.substring(SIGQ.length()).trim().split("/");
                    counters.set(MasterCounter.SIGQ_QUEUED, Long.parseLong(parts[0]));
                    counters.set(MasterCounter.SIGQ_LIMIT, Long.parseLong(parts[1]));
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.debug("cannot read SigQ: {}", ex.toString());
        }
    }
}
