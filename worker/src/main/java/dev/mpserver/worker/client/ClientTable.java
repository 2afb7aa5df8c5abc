package dev.mpserver.worker.client;

import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.BufferUtil;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.Int2IntHashMap;

/**
 * Every client a worker serves has a slot here: its fd, its state, its shard, its buffers, and its
 * place in two intrusive doubly linked lists threaded through primitive arrays, so that joining,
 * leaving, broadcasting and idle expiry allocate nothing:
 *
 * <pre>
 *   idle list (least recently active first)     shard lists (one per shard, via shardHead)
 *   idleHead → slot a ⇄ slot b ⇄ … ⇄ idleTail    shardHead[7] → slot c ⇄ slot d ⇄ …
 * </pre>
 *
 * A slot's buffers are created the first time the slot is used and reused after that; what its
 * protocol keeps per client lives in the protocol, indexed by the same slot.
 * Each slot also has a generation, bumped when it is freed, so that an epoll event queued for a
 * client that has since left is recognised as stale.
 */
public final class ClientTable
{
    public static final int NONE = -1;

    /** The client's protocol is not known yet. */
    public static final byte NO_PROTOCOL = -1;

    public static final byte FREE = 0;
    /** Accepted or handed over; its first bytes, which choose its protocol, are not read yet. */
    public static final byte NEW = 1;
    /** Its protocol's session runs, but has not put it on a shard here yet (a 'C' not whole, an RTMP handshake). */
    public static final byte OPEN = 2;
    /** Served here: it counts in this worker's load. */
    public static final byte SERVING = 3;

    private static final int INITIAL_BUFFER = 4096;

    private final int capacity;
    private final int[] fd;
    private final byte[] state;
    private final int[] shard;
    private final int[] generation;
    private final long[] lastActivityNanos;
    private final long[] admittedNanos;
    private final int[] idlePrev;
    private final int[] idleNext;
    private final int[] shardPrev;
    private final int[] shardNext;
    private final int[] inputLimit;
    private final int[] outputStart;
    private final int[] outputLimit;
    private final ExpandableDirectByteBuffer[] input;
    private final ExpandableDirectByteBuffer[] output;
    private final byte[] protocol;
    private final boolean[] registered;
    private final int[] freeSlots;
    private int freeCount;
    private int idleHead = NONE;
    private int idleTail = NONE;
    private int size;
    private int serving;

    private final Int2IntHashMap shardHead = new Int2IntHashMap(NONE);
    private final Int2IntHashMap shardCount = new Int2IntHashMap(0);

    public ClientTable(final int capacity)
    {
        this.capacity = capacity;
        fd = new int[capacity];
        state = new byte[capacity];
        shard = new int[capacity];
        generation = new int[capacity];
        lastActivityNanos = new long[capacity];
        admittedNanos = new long[capacity];
        idlePrev = new int[capacity];
        idleNext = new int[capacity];
        shardPrev = new int[capacity];
        shardNext = new int[capacity];
        inputLimit = new int[capacity];
        outputStart = new int[capacity];
        outputLimit = new int[capacity];
        input = new ExpandableDirectByteBuffer[capacity];
        output = new ExpandableDirectByteBuffer[capacity];
        protocol = new byte[capacity];
        registered = new boolean[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            freeSlots[i] = capacity - 1 - i;
        }
        freeCount = capacity;
    }

    public int capacity()
    {
        return capacity;
    }

    public int size()
    {
        return size;
    }

    /** Clients in {@link #SERVING}: what this worker carries (the rest are about to be routed). */
    public int serving()
    {
        return serving;
    }

    public boolean isFull()
    {
        return 0 == freeCount;
    }

    /** @return a slot for {@code clientFd} in {@code initialState}, or {@link #NONE} when full. */
    public int add(final int clientFd, final byte initialState, final long nowNanos)
    {
        if (0 == freeCount)
        {
            return NONE;
        }
        final int slot = freeSlots[--freeCount];
        if (null == input[slot])
        {
            input[slot] = new ExpandableDirectByteBuffer(INITIAL_BUFFER);
            output[slot] = new ExpandableDirectByteBuffer(INITIAL_BUFFER);
        }
        fd[slot] = clientFd;
        state[slot] = initialState;
        shard[slot] = WireProtocol.NO_SHARD;
        inputLimit[slot] = 0;
        outputStart[slot] = 0;
        outputLimit[slot] = 0;
        shardPrev[slot] = NONE;
        shardNext[slot] = NONE;
        protocol[slot] = NO_PROTOCOL;
        registered[slot] = false;
        serving += initialState == SERVING ? 1 : 0;
        lastActivityNanos[slot] = nowNanos;
        admittedNanos[slot] = nowNanos;
        idleAppend(slot);
        size++;
        return slot;
    }

    /** Frees the slot (leaving its shard); the caller has closed or handed off the fd. */
    public void remove(final int slot)
    {
        leaveShard(slot);
        idleUnlink(slot);
        serving -= state[slot] == SERVING ? 1 : 0;
        state[slot] = FREE;
        fd[slot] = NONE;
        generation[slot]++;
        freeSlots[freeCount++] = slot;
        size--;
    }

    public int fd(final int slot)
    {
        return fd[slot];
    }

    public byte state(final int slot)
    {
        return state[slot];
    }

    public void state(final int slot, final byte newState)
    {
        serving += (newState == SERVING ? 1 : 0) - (state[slot] == SERVING ? 1 : 0);
        state[slot] = newState;
    }

    public int generation(final int slot)
    {
        return generation[slot];
    }

    public int shard(final int slot)
    {
        return shard[slot];
    }

    /** Index of the client's protocol in the worker's registry, or {@link #NO_PROTOCOL}. */
    public byte protocol(final int slot)
    {
        return protocol[slot];
    }

    public void protocol(final int slot, final byte index)
    {
        protocol[slot] = index;
    }

    /** True while the client's fd is in the worker's epoll set. */
    public boolean isRegistered(final int slot)
    {
        return registered[slot];
    }

    public void registered(final int slot, final boolean inEpollSet)
    {
        registered[slot] = inEpollSet;
    }

    public ExpandableDirectByteBuffer input(final int slot)
    {
        return input[slot];
    }

    public int inputLimit(final int slot)
    {
        return inputLimit[slot];
    }

    public void inputLimit(final int slot, final int limit)
    {
        inputLimit[slot] = limit;
    }

    public ExpandableDirectByteBuffer output(final int slot)
    {
        return output[slot];
    }

    /**
     * Gives back the memory of a drained output buffer that grew past {@code capacity} (a burst:
     * a GOP at join, a slow spell) and starts the slot again at the initial size: a buffer only
     * grows, and a slot keeps it for its later clients too. Frees the old one at once, not at a GC.
     */
    public void shrinkOutput(final int slot, final int capacity)
    {
        final ExpandableDirectByteBuffer grown = output[slot];
        if (grown.capacity() > capacity && outputStart[slot] == outputLimit[slot])
        {
            output[slot] = new ExpandableDirectByteBuffer(INITIAL_BUFFER);
            outputStart[slot] = 0;
            outputLimit[slot] = 0;
            BufferUtil.free(grown.byteBuffer());
        }
    }

    public int outputStart(final int slot)
    {
        return outputStart[slot];
    }

    public int outputLimit(final int slot)
    {
        return outputLimit[slot];
    }

    public void output(final int slot, final int start, final int limit)
    {
        outputStart[slot] = start;
        outputLimit[slot] = limit;
    }

    /** Bytes waiting to be written to the client. */
    public int pendingOutput(final int slot)
    {
        return outputLimit[slot] - outputStart[slot];
    }

    // ---------------------------------------------------------------- shards

    /** Puts the client in {@code shardId}'s list; returns the shard's new client count. */
    public int joinShard(final int slot, final int shardId)
    {
        leaveShard(slot);
        shard[slot] = shardId;
        final int head = shardHead.get(shardId);
        shardPrev[slot] = NONE;
        shardNext[slot] = head;
        if (head != NONE)
        {
            shardPrev[head] = slot;
        }
        shardHead.put(shardId, slot);
        final int count = shardCount.get(shardId) + 1;
        shardCount.put(shardId, count);
        return count;
    }

    /**
     * Takes the client out of its shard's list, if it is in one.
     *
     * @return the shard's remaining client count, or -1 if the client was in no shard
     */
    public int leaveShard(final int slot)
    {
        final int shardId = shard[slot];
        if (WireProtocol.NO_SHARD == shardId || state[slot] == FREE)
        {
            return -1;
        }
        final int prev = shardPrev[slot];
        final int next = shardNext[slot];
        if (prev != NONE)
        {
            shardNext[prev] = next;
        }
        else if (next != NONE)
        {
            shardHead.put(shardId, next);
        }
        else
        {
            shardHead.remove(shardId);
        }
        if (next != NONE)
        {
            shardPrev[next] = prev;
        }
        shard[slot] = WireProtocol.NO_SHARD;
        shardPrev[slot] = NONE;
        shardNext[slot] = NONE;
        final int count = shardCount.get(shardId) - 1;
        if (count <= 0)
        {
            shardCount.remove(shardId);
            return 0;
        }
        shardCount.put(shardId, count);
        return count;
    }

    public int clientsOnShard(final int shardId)
    {
        return shardCount.get(shardId);
    }

    public int shardCount()
    {
        return shardCount.size();
    }

    /**
     * The shard with the most clients here (for the hot-shard view of {@code mpserver stat}), or
     * {@link WireProtocol#NO_SHARD}; O(shards), allocation-free (the map's iterator is reused).
     */
    public int busiestShard()
    {
        int busiest = WireProtocol.NO_SHARD;
        int most = 0;
        final Int2IntHashMap.EntryIterator entries = shardCount.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            if (entries.getIntValue() > most)
            {
                most = entries.getIntValue();
                busiest = entries.getIntKey();
            }
        }
        return busiest;
    }

    /** First client of a shard, or {@link #NONE}. */
    public int firstOfShard(final int shardId)
    {
        return shardHead.get(shardId);
    }

    public int nextOfShard(final int slot)
    {
        return shardNext[slot];
    }

    // ---------------------------------------------------------------- idleness

    public void touch(final int slot, final long nowNanos)
    {
        lastActivityNanos[slot] = nowNanos;
        if (idleTail != slot)
        {
            idleUnlink(slot);
            idleAppend(slot);
        }
    }

    /** The least recently active client, or {@link #NONE}. */
    public int leastRecentlyActive()
    {
        return idleHead;
    }

    /** When the client was taken in here (accepted, or handed over). */
    public long admittedNanos(final int slot)
    {
        return admittedNanos[slot];
    }

    public long lastActivityNanos(final int slot)
    {
        return lastActivityNanos[slot];
    }

    private void idleAppend(final int slot)
    {
        idlePrev[slot] = idleTail;
        idleNext[slot] = NONE;
        if (idleTail != NONE)
        {
            idleNext[idleTail] = slot;
        }
        else
        {
            idleHead = slot;
        }
        idleTail = slot;
    }

    private void idleUnlink(final int slot)
    {
        final int prev = idlePrev[slot];
        final int next = idleNext[slot];
        if (prev != NONE)
        {
            idleNext[prev] = next;
        }
        else
        {
            idleHead = next;
        }
        if (next != NONE)
        {
            idlePrev[next] = prev;
        }
        else
        {
            idleTail = prev;
        }
        idlePrev[slot] = NONE;
        idleNext[slot] = NONE;
    }
}
