package dev.mpserver.master.routing;

import java.util.function.IntSupplier;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;

/**
 * Which worker gets a shard that has none:
 * <ol>
 *   <li>the least-loaded READY worker of the current generation that has room;</li>
 *   <li>else the least-loaded STARTING one of that generation with room (its clients wait for its
 *       READY in the master);</li>
 *   <li>else a new worker, below {@code --max-workers};</li>
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
    private final IntSupplier spawner;

    /**
     * @param workerCapacity clients per worker beyond which it takes no new shard
     * @param maxWorkers     live workers at most
     * @param spawner        starts a worker: its slot, or {@link WorkerSlot#NO_SLOT}
     */
    public Placement(final WorkerTable table, final int workerCapacity, final int maxWorkers, final IntSupplier spawner)
    {
        this.table = table;
        this.workerCapacity = workerCapacity;
        this.maxWorkers = maxWorkers;
        this.spawner = spawner;
    }

    /** @return the slot that should own a new shard, or {@link WorkerSlot#NO_SLOT} */
    public int place()
    {
        final int generation = table.generation();
        WorkerSlot best = null;
        WorkerSlot bestStarting = null;
        for (int i = 0; i < table.capacity(); i++)
        {
            final WorkerSlot slot = table.slot(i);
            if (slot.generation != generation || !hasRoom(slot))
            {
                continue;
            }
            if (slot.state == WorkerSlot.READY && (null == best || slot.load() < best.load()))
            {
                best = slot;
            }
            else if (slot.state == WorkerSlot.STARTING && (null == bestStarting || slot.load() < bestStarting.load()))
            {
                bestStarting = slot;
            }
        }
        if (null != best)
        {
            return best.index;
        }
        if (null != bestStarting)
        {
            return bestStarting.index;
        }
        return table.live() < maxWorkers ? spawner.getAsInt() : WorkerSlot.NO_SLOT;
    }

    /** True if the worker may be given a new shard (whatever its state). */
    public boolean hasRoom(final WorkerSlot slot)
    {
        return !slot.isFull() && slot.load() < workerCapacity;
    }
}
