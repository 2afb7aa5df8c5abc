package dev.mpserver.protocol.shard;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * shard id → owning worker slot, in a file every process of one server maps (the run directory's
 * {@value #FILE_NAME}), so that a worker can take a shard nobody serves, or its own empty one, at
 * once, without a round trip through the master. The master and the workers all write it; every
 * change of an entry is one compare-and-set of its 64-bit word, and an entry never moves, so the
 * entry of a shard is the one place where its ownership is decided: two workers racing for the
 * same new shard cannot both win, and a shard is never split.
 *
 * <p>Entry, one {@code long}:
 * <pre>
 *   63                              32 31             16 15 14           0
 *  +----------------------------------+-----------------+--+--------------+
 *  |             shard id             |    owner + 1    |E |     gen      |
 *  +----------------------------------+-----------------+--+--------------+
 *   0 = a free entry.  E (EMPTY): the owner has no client of the shard and the master has checked
 *   that none is on its way there; another worker may take it over.  gen: bumped by every take.
 * </pre>
 *
 * <p>Life of an entry:
 * <pre>
 *   free ──insert (worker: its new client; master: placement)──▶ ACTIVE(owner)
 *   ACTIVE ──master: a current SHARD_GONE of that gen──▶ EMPTY ──master: TTL──▶ free
 *   EMPTY ──master forwards a client──▶ ACTIVE(same owner, gen+1)
 *   any state ──owner takes it for a client of its own──▶ ACTIVE(owner, gen+1)
 *   EMPTY ──another worker takes it for its client──▶ ACTIVE(new owner, gen+1)
 * </pre>
 * A worker reports SHARD_GONE with the gen it read while the shard was empty there; a take since
 * changed the gen, so the master's compare-and-set of that report fails and the shard stays. The
 * master's own check (no client forwarded after the report's ack) covers clients in flight.
 *
 * <p>File, little-endian:
 * <pre>
 *  +---------------------------------------------------------------+
 *  | magic 'MPSH' | version | sets | slots | capacity | options | .. |  @0, 64 bytes
 *  +---------------------------------------------------------------+
 *  | slot 0: load (int) | flags (int) | shards (int) | rights (int)|  @64, SLOT_LENGTH each:
 *  |         active shards (int) | pad to one cache line           |  one cache line per slot
 *  | slot 1 ...                                                    |
 *  +---------------------------------------------------------------+
 *  | set 0: insert lock (int) | pad | entry 1 | ... | entry 7      |  one cache line per set
 *  | set 1 ...                                                     |
 *  +---------------------------------------------------------------+
 * </pre>
 * A shard lives in set {@code hash(id) & (sets - 1)}, in any of its {@value #WAYS} entries.
 * Finding and changing an entry needs no lock; inserting one does (the set's lock word holds the
 * inserter's slot + 1, for a few loads and one store), so that two inserters of the same shard
 * cannot pick different entries. The master frees the locks of a worker that died holding one.
 * An inserter that finds its set full reuses an EMPTY entry (forgetting an empty shard early only
 * loses which worker it was on); a set of {@value #WAYS} shards with clients takes no more.
 *
 * <p>Slot records: each worker stores its served-client count and whether it takes new shards
 * ({@link #FLAG_CLAIMING}: warm, not draining); the master stores whether it would place new
 * shards there itself ({@code rights}: warm, with room, of the current generation or of an older
 * one while no worker of the current one is warm). A worker takes a new shard itself only with
 * rights and a load near the least of the claiming workers, and for a protocol whose clients
 * gather on a shard after its first one, no more shards with clients than the fewest any of them
 * has unless its load is the least (see {@link #mayClaim}); else the master places it.
 * {@code shards} counts the entries each slot owns, {@code active shards} those that are not EMPTY.
 */
public final class SharedShardTable implements AutoCloseable
{
    public static final String FILE_NAME = "shards";
    public static final int MAGIC = 0x4D505348; // "MPSH"
    /** 2: slot records are a cache line each (1 had 16 bytes, four workers' records to a line). */
    public static final int VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int SETS_OFFSET = 8;
    public static final int SLOTS_OFFSET = 12;
    public static final int CAPACITY_OFFSET = 16;
    public static final int OPTIONS_OFFSET = 20;
    /** {@link #OPTIONS_OFFSET}: workers take shards themselves (else the master places every one). */
    public static final int OPTION_WORKERS_TAKE = 1;
    public static final int HEADER_LENGTH = 64;

    public static final int SLOT_LOAD_OFFSET = 0;
    public static final int SLOT_FLAGS_OFFSET = 4;
    public static final int SLOT_SHARDS_OFFSET = 8;
    /** Written by the master only: 1 while it would itself place new shards on this slot. */
    public static final int SLOT_RIGHTS_OFFSET = 12;
    /** Entries the slot owns that are not EMPTY: its shards with clients (or clients on their way). */
    public static final int SLOT_ACTIVE_SHARDS_OFFSET = 16;
    /**
     * A cache line, not the 16 bytes the fields need: each worker stores its own record as its load
     * changes, and with four records to a line every such store took the line from the other
     * workers' CPUs.
     */
    public static final int SLOT_LENGTH = 64;
    public static final int FLAG_CLAIMING = 1;

    public static final int SET_LENGTH = 64;
    public static final int WAYS = SET_LENGTH / Long.BYTES - 1;
    /** Default: 65 536 sets, 4 MiB, room for 458 752 shards. */
    public static final int DEFAULT_SETS = 1 << 16;
    public static final int MAX_SETS = 1 << 24;
    /** Owner + 1 is 16 bits and 0xFFFF marks the master's lock. */
    public static final int MAX_SLOTS = 0xFFFE;

    /** {@link #owner}: no entry. */
    public static final int NONE = -1;

    /** An entry word that is no entry: {@link #find} of a shard that has none. */
    public static final long FREE_ENTRY = 0L;
    private static final int OWNER_SHIFT = 16;
    private static final long OWNER_MASK = 0xFFFFL;
    private static final long EMPTY_BIT = 1L << 15;
    private static final long GEN_MASK = EMPTY_BIT - 1;
    private static final int MASTER_LOCK = 0xFFFF;
    /** Spins before an inserter gives up on a set's lock (its holder is descheduled or died). */
    private static final int LOCK_SPINS = 20_000;
    private static final int SPINS_BEFORE_YIELD = 100;
    /** A worker takes a new shard while its load is at most the least claiming load plus this... */
    private static final int CLAIM_SLACK = 8;
    /** ...or plus this share of it, whichever is more; and, spread, shards with clients the fewest plus this share. */
    private static final int CLAIM_SLACK_SHIFT = 3;

    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final Path path;
    private final int sets;
    private final int slots;
    private final int setsOffset;

    private SharedShardTable(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.buffer = new UnsafeBuffer(mapped);
        if (buffer.capacity() < HEADER_LENGTH || buffer.getIntVolatile(MAGIC_OFFSET) != MAGIC ||
            buffer.getInt(VERSION_OFFSET) != VERSION || !fits(buffer))
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(path + " is not an mpserver shard table (version " + VERSION + ")");
        }
        this.sets = buffer.getInt(SETS_OFFSET);
        this.slots = buffer.getInt(SLOTS_OFFSET);
        this.setsOffset = setsOffset(slots);
    }

    /** The header's sets and slots are in range and the file holds them. */
    private static boolean fits(final UnsafeBuffer buffer)
    {
        final int sets = buffer.getInt(SETS_OFFSET);
        final int slots = buffer.getInt(SLOTS_OFFSET);
        return sets > 0 && Integer.bitCount(sets) == 1 && sets <= MAX_SETS && slots > 0 && slots <= MAX_SLOTS &&
            setsOffset(slots) + (long)sets * SET_LENGTH <= buffer.capacity();
    }

    private static int setsOffset(final int slots)
    {
        final int headerAndSlots = HEADER_LENGTH + slots * SLOT_LENGTH;
        return (headerAndSlots + SET_LENGTH - 1) / SET_LENGTH * SET_LENGTH;
    }

    /**
     * The master: a new table (replacing any file there) for {@code slots} worker slots.
     *
     * @param workersTake whether workers take shards themselves ({@link #workersTake})
     */
    public static SharedShardTable create(
        final Path file, final int sets, final int slots, final int workerCapacity, final boolean workersTake)
    {
        if (sets < 1 || Integer.bitCount(sets) != 1 || sets > MAX_SETS || slots < 1 || slots > MAX_SLOTS)
        {
            throw new IllegalArgumentException("shard table: sets must be a power of two up to " + MAX_SETS + ", slots 1.." + MAX_SLOTS);
        }
        final long length = setsOffset(slots) + (long)sets * SET_LENGTH;
        final File f = file.toFile();
        IoUtil.deleteIfExists(f);
        final MappedByteBuffer mapped = IoUtil.mapNewFile(f, length, true);
        final UnsafeBuffer header = new UnsafeBuffer(mapped);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(SETS_OFFSET, sets);
        header.putInt(SLOTS_OFFSET, slots);
        header.putInt(CAPACITY_OFFSET, workerCapacity);
        header.putInt(OPTIONS_OFFSET, workersTake ? OPTION_WORKERS_TAKE : 0);
        header.putIntVolatile(MAGIC_OFFSET, MAGIC); // last: a reader trusts nothing before it
        return new SharedShardTable(file, mapped);
    }

    /** A worker (or a reader): the table its master created. */
    public static SharedShardTable open(final Path file)
    {
        final SharedShardTable table = new SharedShardTable(file, IoUtil.mapExistingFile(file.toFile(), FILE_NAME));
        // Every page now, at the worker's start, not at its first clients': random shard ids land
        // anywhere in the table, and a worker's first 5 000 clients after a start took 73-91 page
        // faults here on tmpfs (15-20 with this).
        table.mapped.load();
        return table;
    }

    public Path path()
    {
        return path;
    }

    public int slots()
    {
        return slots;
    }

    public int workerCapacity()
    {
        return buffer.getInt(CAPACITY_OFFSET);
    }

    /** Whether workers take shards themselves ({@code --placement local}); else they only read it. */
    public boolean workersTake()
    {
        return (buffer.getInt(OPTIONS_OFFSET) & OPTION_WORKERS_TAKE) != 0;
    }

    // ---------------------------------------------------------------- entries

    /** @return the entry word of {@code shardId}, or {@link #FREE_ENTRY} if it has none */
    public long find(final int shardId)
    {
        final int set = setOffset(shardId);
        for (int way = 1; way <= WAYS; way++)
        {
            final long entry = buffer.getLongVolatile(set + way * Long.BYTES);
            if (entry != FREE_ENTRY && shardOf(entry) == shardId)
            {
                return entry;
            }
        }
        return FREE_ENTRY;
    }

    /** @return the owning slot of {@code shardId}, or {@link #NONE} */
    public int owner(final int shardId)
    {
        final long entry = find(shardId);
        return entry == FREE_ENTRY ? NONE : ownerOf(entry);
    }

    /**
     * Sets {@code shardId}'s entry from {@code expected} to {@code update}.
     *
     * @return false if the entry changed meanwhile (re-read it and decide again)
     */
    public boolean compareAndSet(final int shardId, final long expected, final long update)
    {
        if (expected == FREE_ENTRY || shardOf(expected) != shardId || (update != FREE_ENTRY && shardOf(update) != shardId))
        {
            return false; // a new entry is made by insert only, under its set's lock; an entry never changes shard
        }
        final int set = setOffset(shardId);
        for (int way = 1; way <= WAYS; way++)
        {
            final int offset = set + way * Long.BYTES;
            if (buffer.getLongVolatile(offset) == expected)
            {
                if (buffer.compareAndSetLong(offset, expected, update))
                {
                    moveCount(expected, update);
                    return true;
                }
                return false;
            }
        }
        return false;
    }

    /**
     * A worker takes a shard that has no entry, for its client, as ACTIVE: under the set's lock,
     * so that no other inserter of the same shard picks another entry.
     *
     * @return the entry inserted; {@link #FREE_ENTRY} if none was: the shard has one by now (made
     *         by another process: {@link #find} it), or its set is full of shards with clients, or
     *         the set's lock stayed taken
     */
    public long insert(final int shardId, final int slot)
    {
        return insert(shardId, slot, slot + 1);
    }

    /**
     * The master places a shard that has no entry on {@code slot}: as {@link #insert}, with the
     * lock marked as the master's (a worker's mark would be freed if that worker died).
     */
    public long insertByMaster(final int shardId, final int slot)
    {
        return insert(shardId, slot, MASTER_LOCK);
    }

    private long insert(final int shardId, final int slot, final int holder)
    {
        final int set = setOffset(shardId);
        if (!lock(set, holder))
        {
            return FREE_ENTRY;
        }
        try
        {
            if (find(shardId) != FREE_ENTRY)
            {
                return FREE_ENTRY;
            }
            final long entry = entry(shardId, slot, false, 0);
            for (int way = 1; way <= WAYS; way++)
            {
                final int offset = set + way * Long.BYTES;
                if (buffer.getLongVolatile(offset) == FREE_ENTRY && buffer.compareAndSetLong(offset, FREE_ENTRY, entry))
                {
                    moveCount(FREE_ENTRY, entry);
                    return entry;
                }
            }
            for (int way = 1; way <= WAYS; way++) // full: reuse an empty shard's entry
            {
                final int offset = set + way * Long.BYTES;
                final long current = buffer.getLongVolatile(offset);
                if (isEmpty(current) && buffer.compareAndSetLong(offset, current, entry))
                {
                    moveCount(current, entry);
                    return entry;
                }
            }
            return FREE_ENTRY;
        }
        finally
        {
            buffer.putIntOrdered(set, 0);
        }
    }

    private boolean lock(final int set, final int holder)
    {
        for (int spins = 0; spins < LOCK_SPINS; spins++)
        {
            if (buffer.getIntVolatile(set) == 0 && buffer.compareAndSetInt(set, 0, holder))
            {
                return true;
            }
            if (spins < SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        return false;
    }

    /**
     * The master, for a worker that is gone or draining: frees every entry it owns, and (gone)
     * every set lock it held when it died.
     *
     * @return how many entries were freed
     */
    public int removeAllOf(final int slot, final boolean releaseLocks)
    {
        int removed = 0;
        for (int i = 0; i < sets; i++)
        {
            final int set = setsOffset + i * SET_LENGTH;
            if (releaseLocks && buffer.getIntVolatile(set) == slot + 1)
            {
                buffer.compareAndSetInt(set, slot + 1, 0);
            }
            for (int way = 1; way <= WAYS; way++)
            {
                final int offset = set + way * Long.BYTES;
                long current = buffer.getLongVolatile(offset);
                while (current != FREE_ENTRY && ownerOf(current) == slot)
                {
                    if (buffer.compareAndSetLong(offset, current, FREE_ENTRY))
                    {
                        moveCount(current, FREE_ENTRY);
                        removed++;
                        break;
                    }
                    current = buffer.getLongVolatile(offset);
                }
            }
        }
        return removed;
    }

    // ---------------------------------------------------------------- slot records

    /**
     * A worker's served clients, for the others' {@link #mayClaim}. Called on every pass of its
     * loop; stores only what changed, since the other workers read this record's line in theirs.
     */
    public void publishLoad(final int slot, final int load, final boolean claiming)
    {
        final int record = slotOffset(slot);
        putIfChanged(record + SLOT_LOAD_OFFSET, load);
        putIfChanged(record + SLOT_FLAGS_OFFSET, claiming ? FLAG_CLAIMING : 0);
    }

    /** The master, for a slot whose worker is gone: it claims nothing any more. */
    public void clearSlot(final int slot)
    {
        publishLoad(slot, 0, false);
        grantRights(slot, false);
    }

    /** The master: whether it would place new shards on {@code slot} itself (see {@link #mayClaim}). */
    public void grantRights(final int slot, final boolean rights)
    {
        putIfChanged(slotOffset(slot) + SLOT_RIGHTS_OFFSET, rights ? 1 : 0);
    }

    /** A slot record field has one writer at a time (the master clears a gone worker's): a plain read of its last store suffices. */
    private void putIfChanged(final int offset, final int value)
    {
        if (buffer.getInt(offset) != value)
        {
            buffer.putIntOrdered(offset, value);
        }
    }

    public boolean hasRights(final int slot)
    {
        return buffer.getIntVolatile(slotOffset(slot) + SLOT_RIGHTS_OFFSET) != 0;
    }

    public int loadOf(final int slot)
    {
        return buffer.getIntVolatile(slotOffset(slot) + SLOT_LOAD_OFFSET);
    }

    public boolean isClaiming(final int slot)
    {
        return (buffer.getIntVolatile(slotOffset(slot) + SLOT_FLAGS_OFFSET) & FLAG_CLAIMING) != 0;
    }

    /** Entries {@code slot} owns. */
    public int shardsOf(final int slot)
    {
        return buffer.getIntVolatile(slotOffset(slot) + SLOT_SHARDS_OFFSET);
    }

    /** Entries {@code slot} owns that are not EMPTY: shards with clients there. */
    public int activeShardsOf(final int slot)
    {
        return buffer.getIntVolatile(slotOffset(slot) + SLOT_ACTIVE_SHARDS_OFFSET);
    }

    /**
     * Whether a worker serving {@code load} clients takes a new shard itself: with the master's
     * rights, below the server's worker capacity and near the least load of the other workers that
     * take new shards (so that the kernel's choice of accepting worker does not pile shards onto
     * one); otherwise the master places it on the least-loaded worker, or starts one.
     *
     * <p>{@code spread}: the shard's clients come after its first one, as an RTMP vhost's players
     * come after its publisher, so client counts cannot tell where it will weigh. It is also kept
     * to no more shards with clients than the fewest of the others' plus an eighth, unless this
     * worker's load is below all of theirs (so that beside a hot shard it goes on taking new ones
     * without the master). Publishers that arrive together land in one accept batch: with client
     * counts alone, the demo's four vhosts went 4 and 0. Not for shards that say nothing of what
     * follows (the {@code 'C'} protocol's): under a random-id load, where a shard lives for a few
     * messages, the bound sent 11 % of clients through the master and doubled the route p99.
     */
    public boolean mayClaim(final int slot, final int load, final boolean spread)
    {
        if (!hasRights(slot) || load >= workerCapacity())
        {
            return false;
        }
        int leastLoad = Integer.MAX_VALUE;
        int leastShards = Integer.MAX_VALUE;
        for (int i = 0; i < slots; i++)
        {
            if (i != slot && isClaiming(i))
            {
                leastLoad = Math.min(leastLoad, loadOf(i));
                leastShards = spread ? Math.min(leastShards, activeShardsOf(i)) : leastShards;
            }
        }
        if (load < leastLoad) // the least loaded, or nobody to compare with
        {
            return true;
        }
        return load <= leastLoad + Math.max(CLAIM_SLACK, leastLoad >> CLAIM_SLACK_SHIFT) &&
            (!spread || activeShardsOf(slot) <= leastShards + (leastShards >> CLAIM_SLACK_SHIFT));
    }

    // ---------------------------------------------------------------- entry words

    public static long entry(final int shardId, final int slot, final boolean empty, final int gen)
    {
        return ((long)shardId << 32) | ((long)(slot + 1) << OWNER_SHIFT) | (empty ? EMPTY_BIT : 0) | (gen & GEN_MASK);
    }

    public static int shardOf(final long entry)
    {
        return (int)(entry >>> 32);
    }

    public static int ownerOf(final long entry)
    {
        return (int)((entry >>> OWNER_SHIFT) & OWNER_MASK) - 1;
    }

    public static boolean isEmpty(final long entry)
    {
        return entry != FREE_ENTRY && (entry & EMPTY_BIT) != 0;
    }

    public static int genOf(final long entry)
    {
        return (int)(entry & GEN_MASK);
    }

    /** The entry taken by {@code slot} for a client: ACTIVE, next gen. */
    public static long taken(final long entry, final int slot)
    {
        return entry(shardOf(entry), slot, false, genOf(entry) + 1);
    }

    /** The entry with no client at its owner. */
    public static long emptied(final long entry)
    {
        return entry | EMPTY_BIT;
    }

    private void moveCount(final long from, final long to)
    {
        moveCount(SLOT_SHARDS_OFFSET, from == FREE_ENTRY ? NONE : ownerOf(from), to == FREE_ENTRY ? NONE : ownerOf(to));
        moveCount(SLOT_ACTIVE_SHARDS_OFFSET, activeOwner(from), activeOwner(to));
    }

    private static int activeOwner(final long entry)
    {
        return entry == FREE_ENTRY || isEmpty(entry) ? NONE : ownerOf(entry);
    }

    private void moveCount(final int field, final int before, final int after)
    {
        if (before != after)
        {
            addCount(before, field, -1);
            addCount(after, field, 1);
        }
    }

    private void addCount(final int slot, final int field, final int delta)
    {
        if (slot >= 0 && slot < slots)
        {
            buffer.getAndAddInt(slotOffset(slot) + field, delta);
        }
    }

    private int slotOffset(final int slot)
    {
        return HEADER_LENGTH + slot * SLOT_LENGTH;
    }

    private int setOffset(final int shardId)
    {
        return setsOffset + (mix(shardId) & (sets - 1)) * SET_LENGTH;
    }

    /** Spreads sequential and patterned ids over the sets (murmur3's finaliser). */
    private static int mix(final int shardId)
    {
        int h = shardId;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    /**
     * Unmaps it and removes its file: the master's, at exit. Only running workers map it (a worker
     * that still does keeps its mapping), and nothing reads it after a stop, unlike the counters.
     */
    public void closeAndRemove()
    {
        close();
        IoUtil.deleteIfExists(path.toFile());
    }
}
