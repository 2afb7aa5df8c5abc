package dev.mpserver.worker.client;

import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.BufferUtil;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Every client a worker serves has a slot here: its fd, its state, its buffers, and its place in
 * two intrusive lists indexed by the same slot, so that joining, leaving, broadcasting and idle
 * expiry allocate nothing: its shard's ({@link ShardLists}) and the order of activity
 * ({@link IdleList}).
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
    private final int[] generation;
    private final long[] lastActivityNanos;
    private final long[] admittedNanos;
    private final ShardLists shards;
    private final IdleList idle;
    private final int[] inputLimit;
    private final int[] outputStart;
    private final int[] outputLimit;
    private final ExpandableDirectByteBuffer[] input;
    private final ExpandableDirectByteBuffer[] output;
    private final byte[] protocol;
    private final boolean[] registered;
    private final int[] freeSlots;
    private int freeCount;
    private int size;
    private int serving;

    public ClientTable(final int capacity)
    {
        this.capacity = capacity;
        fd = new int[capacity];
        state = new byte[capacity];
        generation = new int[capacity];
        lastActivityNanos = new long[capacity];
        admittedNanos = new long[capacity];
        shards = new ShardLists(capacity);
        idle = new IdleList(capacity);
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
        shards.reset(slot);
        inputLimit[slot] = 0;
        outputStart[slot] = 0;
        outputLimit[slot] = 0;
        protocol[slot] = NO_PROTOCOL;
        registered[slot] = false;
        serving += initialState == SERVING ? 1 : 0;
        lastActivityNanos[slot] = nowNanos;
        admittedNanos[slot] = nowNanos;
        idle.append(slot);
        size++;
        return slot;
    }

    /** Frees the slot (leaving its shard); the caller has closed or handed off the fd. */
    public void remove(final int slot)
    {
        leaveShard(slot);
        idle.unlink(slot);
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
        return shards.shard(slot);
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
        return shards.join(slot, shardId);
    }

    /**
     * Takes the client out of its shard's list, if it is in one.
     *
     * @return the shard's remaining client count, or -1 if the client was in no shard
     */
    public int leaveShard(final int slot)
    {
        return state[slot] == FREE ? -1 : shards.leave(slot);
    }

    public int clientsOnShard(final int shardId)
    {
        return shards.clients(shardId);
    }

    public int shardCount()
    {
        return shards.shards();
    }

    /**
     * The shard with the most clients here (for the hot-shard view of {@code mpserver stat}), or
     * {@link WireProtocol#NO_SHARD}; O(shards), allocation-free.
     */
    public int busiestShard()
    {
        return shards.busiest();
    }

    /** First client of a shard, or {@link #NONE}. */
    public int firstOfShard(final int shardId)
    {
        return shards.first(shardId);
    }

    public int nextOfShard(final int slot)
    {
        return shards.next(slot);
    }

    // ---------------------------------------------------------------- idleness

    public void touch(final int slot, final long nowNanos)
    {
        lastActivityNanos[slot] = nowNanos;
        idle.touched(slot);
    }

    /** The least recently active client, or {@link #NONE}. */
    public int leastRecentlyActive()
    {
        return idle.head();
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
}
