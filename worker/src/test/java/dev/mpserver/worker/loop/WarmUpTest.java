package dev.mpserver.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.worker.WorkerCounters;
import org.junit.jupiter.api.Test;

/**
 * A warm-up run on this thread, with its real loop, sockets, socketpair and shard table: its
 * clients' shards must take every path a live worker's do, in {@link WarmUpShards}' proportions.
 * Since the master grants workers the right to take new shards, a warm-up without that right had
 * handed every new shard off and never ran the insert a live worker runs for nearly every client.
 */
class WarmUpTest
{
    private static final int CLIENTS = 400;

    @Test
    void theWarmUpsClientsTakeNewShardsTakeOverEmptyOnesAndAreHandedOffInItsProportions()
    {
        final WorkerConfig config = new WorkerConfig(0, 100, 60_000, 1 << 20, 1_000, 1_000, null).withWarmUp(CLIENTS);
        try (WorkerCounters counters = WorkerCounters.open(null, Posix.LIBC.getpid(), 0))
        {
            final WarmUp warmUp = new WarmUp(config, counters);
            warmUp.run();
            assertEquals(CLIENTS, counters.get(WorkerCounter.WARM_UP_CLIENTS), "every client served to its 'I'");
            assertEquals(3 * CLIENTS / 8 + CLIENTS / 8, warmUp.claimed(), "new shards inserted, and empty ones taken over");
            assertEquals(CLIENTS / 8, warmUp.takenOver(), "another worker's empty shards");
            assertEquals(3 * CLIENTS / 8, warmUp.handedOff(), "another worker's busy shards, to the master and back");
        }
    }
}
