package dev.mpserver.master.process;

import org.agrona.collections.Int2IntHashMap;

/**
 * Every worker slot of the master, found by index or by its channel's fd, and the counts the
 * policies ask for. Twice {@code --max-workers} slots: a reload starts a whole new generation while
 * the old one is still draining. Slots are scanned in index order everywhere, so placement ties and
 * service order do not depend on hashing.
 *
 * <p>The current generation is here because both spawning (which stamps it on a slot) and
 * placement (which only considers it) read it; the supervisor advances it on reload.
 */
public final class WorkerTable
{
    private static final int WITH_PROCESS = 0;
    private static final int LIVE = 1;
    private static final int READY = 2;
    private static final int SPARE = 3;
    private static final int WARM = 4;
    private static final int STANDBY = 5;

    private final WorkerSlot[] slots;
    private final Int2IntHashMap slotByChannelFd = new Int2IntHashMap(WorkerSlot.NO_SLOT);
    private int generation;

    /**
     * @param capacity        slots
     * @param pendingCapacity clients that may wait for one STARTING worker
     */
    public WorkerTable(final int capacity, final int pendingCapacity)
    {
        slots = new WorkerSlot[capacity];
        for (int i = 0; i < capacity; i++)
        {
            slots[i] = new WorkerSlot(i, pendingCapacity);
        }
    }

    public int capacity()
    {
        return slots.length;
    }

    public WorkerSlot slot(final int index)
    {
        return slots[index];
    }

    /** @return the slot whose channel is {@code fd}, or null (a signal for a channel already closed). */
    public WorkerSlot slotOfChannel(final int fd)
    {
        final int index = slotByChannelFd.get(fd);
        return index == WorkerSlot.NO_SLOT ? null : slots[index];
    }

    /** @return the lowest FREE slot, or null if every slot has a process. */
    public WorkerSlot freeSlot()
    {
        for (final WorkerSlot slot : slots)
        {
            if (slot.state == WorkerSlot.FREE)
            {
                return slot;
            }
        }
        return null;
    }

    /** Makes a slot that has just {@link WorkerSlot#start started} reachable by its channel's fd. */
    public void attach(final WorkerSlot slot)
    {
        slotByChannelFd.put(slot.channel.fd(), slot.index);
    }

    /** The slot's process was reaped: its channel is closed (with any fd still queued) and the slot is FREE. */
    public void release(final WorkerSlot slot)
    {
        slotByChannelFd.remove(slot.channel.fd());
        slot.channel.close();
        slot.channel = null;
        slot.readPending = false;
        slot.state = WorkerSlot.FREE;
    }

    /** The generation new workers belong to, and the only one new shards go to. */
    public int generation()
    {
        return generation;
    }

    /** A reload: workers spawned from now on are a new generation. */
    public int nextGeneration()
    {
        return ++generation;
    }

    /** Slots with a process to reap (any state but FREE). */
    public int processes()
    {
        return count(WITH_PROCESS);
    }

    /** Workers that can be given clients (STARTING or READY, not standing by). */
    public int live()
    {
        return count(LIVE);
    }

    /** READY workers, not standing by. */
    public int ready()
    {
        return count(READY);
    }

    /** Standbys not promoted yet (STARTING or READY). */
    public int standby()
    {
        return count(STANDBY);
    }

    /** Live workers and standbys: the processes --max-workers bounds (one that drains is on its way out). */
    public int liveAndStandby()
    {
        return live() + standby();
    }

    /**
     * The standby a dying worker's place goes to: the current generation's, warm before cold (a
     * cold one takes clients once its warm-up ends), or null.
     */
    public WorkerSlot standbyToPromote()
    {
        WorkerSlot best = null;
        for (final WorkerSlot slot : slots)
        {
            if (slot.isStandingBy() && slot.generation == generation && (null == best || slot.warm && !best.warm))
            {
                best = slot;
            }
        }
        return best;
    }

    /** READY workers that said WARM, not standing by. */
    public int warm()
    {
        return count(WARM);
    }

    /** GONE workers not yet reaped that went GONE after {@code sinceNanos}. */
    public int goneSince(final long sinceNanos)
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (slot.state == WorkerSlot.GONE && slot.goneAtNanos - sinceNanos > 0)
            {
                count++;
            }
        }
        return count;
    }

    /** Live workers carrying no client as far as the master can tell (seed 003's "spare servers"). */
    public int spare()
    {
        return count(SPARE);
    }

    private int count(final int kind)
    {
        int count = 0;
        for (final WorkerSlot slot : slots)
        {
            if (kind == WITH_PROCESS ? slot.hasProcess()
                : kind == LIVE ? slot.isLive()
                : kind == READY ? slot.state == WorkerSlot.READY && !slot.standby
                : kind == WARM ? slot.state == WorkerSlot.READY && slot.warm && !slot.standby
                : kind == STANDBY ? slot.isStandingBy()
                : slot.isLive() && 0 == slot.load())
            {
                count++;
            }
        }
        return count;
    }
}
