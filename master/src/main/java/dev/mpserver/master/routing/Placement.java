package dev.mpserver.master.routing;

import java.util.function.IntSupplier;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.shard.SharedShardTable;

/**
 * Which worker gets a shard that has none:
 * <ol>
 *   <li>the least-loaded warm worker (READY, and said WARM: its warm-up is done) of the current
 *       generation that has room;</li>
 *   <li>else the least-loaded warm one of an older generation that has room: during a reload, the
 *       old generation serves new shards until the new one is warm (then it drains);</li>
 *   <li>else the least-loaded READY one of the current generation with room, warm or not;</li>
 *   <li>else the least-loaded STARTING one of that generation with room (its clients wait for its
 *       READY in the master);</li>
 *   <li>else a standby ({@code --standby}), promoted: it is warm, its clients meet no JVM start, and
 *       the pool stays within {@code --max-workers} (a new standby starts later where there is room);</li>
 *   <li>else a new worker, while live workers and standbys are fewer than {@code --max-workers};</li>
 *   <li>else none: the caller refuses the client ({@code E 2}).</li>
 * </ol>
 * A worker's load is what the master can tell ({@link WorkerSlot#load}): its last LOAD report plus
 * the hand-offs sent after that report's ack plus those waiting for its READY, so that a burst does
 * not pile onto one worker while its reports lag. "Room" is under {@code --worker-capacity} by that
 * count and not flagged full by a RETURN since its last report. Ties go to the lowest slot.
 */
public final class Placement
{
    private final WorkerTable table;
    private final int workerCapacity;
    private final int maxWorkers;
    private final IntSupplier standbys;
    private final IntSupplier spawner;

    /**
     * @param workerCapacity clients per worker beyond which it takes no new shard
     * @param maxWorkers     live workers and standbys at most
     * @param standbys       promotes a standby: its slot, or {@link WorkerSlot#NO_SLOT} when there is none
     * @param spawner        starts a worker: its slot, or {@link WorkerSlot#NO_SLOT}
     */
    public Placement(
        final WorkerTable table, final int workerCapacity, final int maxWorkers, final IntSupplier standbys, final IntSupplier spawner)
    {
        this.table = table;
        this.workerCapacity = workerCapacity;
        this.maxWorkers = maxWorkers;
        this.standbys = standbys;
        this.spawner = spawner;
    }

    /** @return the slot that should own a new shard, or {@link WorkerSlot#NO_SLOT} */
    public int place()
    {
        final int generation = table.generation();
        WorkerSlot warm = null;
        WorkerSlot warmOlder = null;
        WorkerSlot cold = null;
        WorkerSlot starting = null;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.standby || !hasRoom(slot))
            {
                continue;
            }
            final boolean current = slot.generation == generation;
            if (slot.state == WorkerSlot.READY && slot.warm)
            {
                if (current)
                {
                    warm = lessLoaded(warm, slot);
                }
                else
                {
                    warmOlder = lessLoaded(warmOlder, slot);
                }
            }
            else if (current && slot.state == WorkerSlot.READY)
            {
                cold = lessLoaded(cold, slot);
            }
            else if (current && slot.state == WorkerSlot.STARTING)
            {
                starting = lessLoaded(starting, slot);
            }
        }
        final WorkerSlot chosen = null != warm ? warm : null != warmOlder ? warmOlder : null != cold ? cold : starting;
        if (null != chosen)
        {
            return chosen.index;
        }
        final int promoted = standbys.getAsInt();
        if (WorkerSlot.NO_SLOT != promoted)
        {
            return promoted;
        }
        // A standby counts: it is a process --max-workers bounds, and it starts only where there is room.
        return table.liveAndStandby() < maxWorkers ? spawner.getAsInt() : WorkerSlot.NO_SLOT;
    }

    private static WorkerSlot lessLoaded(final WorkerSlot best, final WorkerSlot candidate)
    {
        return null == best || candidate.load() < best.load() ? candidate : best;
    }

    /**
     * Tells each worker, in the shard table, whether it may take new shards itself: where this
     * placement's first two rules would put them (READY and warm, with room, of the current
     * generation, or of an older one while no worker of the current one is warm). Published on
     * every pass of the master's loop, so that a reload's old generation stops taking new shards
     * as soon as a worker of the new one is warm, as the master itself would.
     */
    public void publishRights(final SharedShardTable shards)
    {
        final int generation = table.generation();
        boolean warmCurrent = false;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            warmCurrent |= slot.generation == generation && isWarmWithRoom(slot);
        }
        for (int i = 0; i < table.capacity() && i < shards.slots(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            shards.grantRights(i, isWarmWithRoom(slot) && (slot.generation == generation || !warmCurrent));
        }
    }

    private boolean isWarmWithRoom(final WorkerSlot slot)
    {
        return slot.state == WorkerSlot.READY && slot.warm && !slot.standby && hasRoom(slot);
    }

    /** True if the worker may be given a new shard (whatever its state). */
    public boolean hasRoom(final WorkerSlot slot)
    {
        return !slot.isFull() && slot.load() < workerCapacity;
    }
}
