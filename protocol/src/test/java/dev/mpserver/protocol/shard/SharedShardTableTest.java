package dev.mpserver.protocol.shard;

import static dev.mpserver.protocol.shard.SharedShardTable.FREE_ENTRY;
import static dev.mpserver.protocol.shard.SharedShardTable.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SharedShardTableTest
{
    private static final int CAPACITY = 200;

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- file

    @Test
    void anOpenedTableSeesWhatTheCreatorWroteAndTheCreatorSeesWhatTheOpenerWrote()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable master = create(file, 64, 5, 123);
             SharedShardTable worker = SharedShardTable.open(file))
        {
            assertEquals(5, worker.slots());
            assertEquals(123, worker.workerCapacity());
            assertTrue(worker.workersTake());
            assertEquals(file, worker.path());

            final long byMaster = master.insertByMaster(42, 3);
            assertEquals(byMaster, worker.find(42));
            assertEquals(3, worker.owner(42));
            assertEquals(1, worker.shardsOf(3));

            final long byWorker = worker.insert(-7, 4);
            assertEquals(byWorker, master.find(-7));
            assertEquals(4, master.owner(-7));
            assertEquals(1, master.shardsOf(4));

            worker.publishLoad(2, 17, true);
            assertEquals(17, master.loadOf(2));
            assertTrue(master.isClaiming(2));
        }
        try (SharedShardTable reopened = SharedShardTable.open(file))
        {
            assertEquals(3, reopened.owner(42), "the entries are in the file, not in a mapping");
            assertEquals(4, reopened.owner(-7));
        }
    }

    @Test
    void whetherWorkersTakeShardsIsInTheFile()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable master = SharedShardTable.create(file, 16, 2, 10, false);
             SharedShardTable worker = SharedShardTable.open(file))
        {
            assertFalse(master.workersTake());
            assertFalse(worker.workersTake());
        }
        try (SharedShardTable master = SharedShardTable.create(file, 16, 2, 10, true);
             SharedShardTable worker = SharedShardTable.open(file))
        {
            assertTrue(master.workersTake());
            assertTrue(worker.workersTake());
        }
    }

    @Test
    void createReplacesAnExistingTable()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable first = create(file, 16, 2, 10))
        {
            first.insert(1, 0);
        }
        try (SharedShardTable second = create(file, 16, 2, 10))
        {
            assertEquals(FREE_ENTRY, second.find(1));
            assertEquals(0, second.shardsOf(0));
        }
    }

    @Test
    void openRefusesAFileThatIsNotAShardTableNamingIt() throws IOException
    {
        final Path zeros = tmp.resolve("zeros");
        Files.write(zeros, new byte[4096]);
        assertNotATable(zeros);

        final Path text = tmp.resolve("text");
        Files.write(text, "not a shard table at all, but long enough to hold a header of 64 bytes"
            .getBytes(StandardCharsets.US_ASCII));
        assertNotATable(text);

        final Path otherVersion = tmp.resolve("other-version");
        try (SharedShardTable table = create(otherVersion, 16, 2, 10))
        {
            table.insert(1, 0);
        }
        writeInt(otherVersion, SharedShardTable.VERSION_OFFSET, SharedShardTable.VERSION + 1);
        assertNotATable(otherVersion);
    }

    @Test
    void createRejectsSetsThatAreNoPowerOfTwoAndSlotsOutOfRange()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        for (final int sets : new int[] {0, 3, 6, 100, -1, -16, SharedShardTable.MAX_SETS << 1})
        {
            assertThrows(IllegalArgumentException.class, () -> create(file, sets, 4, 10), "sets " + sets);
        }
        for (final int slots : new int[] {0, -1, SharedShardTable.MAX_SLOTS + 1, Integer.MAX_VALUE})
        {
            assertThrows(IllegalArgumentException.class, () -> create(file, 16, slots, 10), "slots " + slots);
        }
        try (SharedShardTable one = create(file, 1, 1, 10))
        {
            assertEquals(1, one.slots());
        }
    }

    // ---------------------------------------------------------------- entries

    @Test
    void insertMakesAnActiveEntryOfGenZeroThatFindAndOwnerSee()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 16, 4, CAPACITY))
        {
            assertEquals(FREE_ENTRY, table.find(99));
            assertEquals(NONE, table.owner(99));

            final long entry = table.insert(99, 2);
            assertNotEquals(FREE_ENTRY, entry);
            assertEquals(SharedShardTable.entry(99, 2, false, 0), entry);
            assertEquals(99, SharedShardTable.shardOf(entry));
            assertEquals(2, SharedShardTable.ownerOf(entry));
            assertEquals(0, SharedShardTable.genOf(entry));
            assertFalse(SharedShardTable.isEmpty(entry));
            assertEquals(entry, table.find(99));
            assertEquals(2, table.owner(99));
            assertEquals(1, table.shardsOf(2));
        }
    }

    @Test
    void aSecondInsertOfTheSameShardFailsAndLeavesTheFirst()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 16, 4, CAPACITY))
        {
            final long first = table.insert(5, 1);
            assertEquals(FREE_ENTRY, table.insert(5, 3));
            assertEquals(FREE_ENTRY, table.insert(5, 1), "not even by its owner");
            assertEquals(FREE_ENTRY, table.insertByMaster(5, 0));
            assertEquals(first, table.find(5));
            assertEquals(1, table.shardsOf(1));
            assertEquals(0, table.shardsOf(3));
            assertEquals(1, countEntries(table.path()).get(5));
        }
    }

    @Test
    void compareAndSetWithAStaleEntryFailsAndChangesNothing()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 16, 4, CAPACITY))
        {
            final long inserted = table.insert(8, 0);
            final long emptied = SharedShardTable.emptied(inserted);
            assertTrue(table.compareAndSet(8, inserted, emptied));
            assertEquals(emptied, table.find(8));
            assertEquals(1, table.shardsOf(0), "emptying keeps the owner");
            assertEquals(0, table.activeShardsOf(0), "but not a shard with clients");

            final long takenByOther = SharedShardTable.taken(emptied, 1);
            assertTrue(table.compareAndSet(8, emptied, takenByOther));
            assertEquals(0, table.shardsOf(0));
            assertEquals(1, table.shardsOf(1));
            assertEquals(0, table.activeShardsOf(0));
            assertEquals(1, table.activeShardsOf(1));

            assertFalse(table.compareAndSet(8, emptied, SharedShardTable.taken(emptied, 2)), "stale: taken meanwhile");
            assertFalse(table.compareAndSet(8, inserted, SharedShardTable.emptied(inserted)), "stale: an older gen");
            assertFalse(table.compareAndSet(9, takenByOther, FREE_ENTRY), "another shard's set has no such entry");
            assertEquals(takenByOther, table.find(8));
            assertEquals(0, table.shardsOf(2));
            assertEquals(1, table.shardsOf(1));

            assertTrue(table.compareAndSet(8, takenByOther, FREE_ENTRY), "the master frees it");
            assertEquals(FREE_ENTRY, table.find(8));
            assertEquals(0, table.shardsOf(1));
            assertEquals(0, table.activeShardsOf(1));
        }
    }

    @Test
    void entryWordsRoundTripTheirFields()
    {
        final int[] shardIds = {0, 1, -1, 42, Integer.MAX_VALUE, Integer.MIN_VALUE, -123_456_789};
        final int[] slots = {0, 1, 7, SharedShardTable.MAX_SLOTS - 1};
        final int[] gens = {0, 1, 0x1234, 0x7FFF};
        for (final int shardId : shardIds)
        {
            for (final int slot : slots)
            {
                for (final int gen : gens)
                {
                    for (final boolean empty : new boolean[] {false, true})
                    {
                        final String what = "shard " + shardId + " slot " + slot + " gen " + gen + " empty " + empty;
                        final long entry = SharedShardTable.entry(shardId, slot, empty, gen);
                        assertNotEquals(FREE_ENTRY, entry, what);
                        assertEquals(shardId, SharedShardTable.shardOf(entry), what);
                        assertEquals(slot, SharedShardTable.ownerOf(entry), what);
                        assertEquals(gen, SharedShardTable.genOf(entry), what);
                        assertEquals(empty, SharedShardTable.isEmpty(entry), what);

                        final long emptied = SharedShardTable.emptied(entry);
                        assertTrue(SharedShardTable.isEmpty(emptied), what);
                        assertEquals(SharedShardTable.entry(shardId, slot, true, gen), emptied, what);

                        final long taken = SharedShardTable.taken(emptied, 3);
                        assertFalse(SharedShardTable.isEmpty(taken), what);
                        assertEquals(shardId, SharedShardTable.shardOf(taken), what);
                        assertEquals(3, SharedShardTable.ownerOf(taken), what);
                        assertEquals((gen + 1) & 0x7FFF, SharedShardTable.genOf(taken), what + ": gen wraps, never into EMPTY");
                    }
                }
            }
        }
        assertFalse(SharedShardTable.isEmpty(FREE_ENTRY));
    }

    @Test
    void shardZeroOfSlotZeroAndNegativeShardsAreRealEntries()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 1, 2, CAPACITY))
        {
            final long zero = table.insert(0, 0);
            assertNotEquals(FREE_ENTRY, zero, "shard 0 gen 0 on slot 0 is no free entry");
            assertEquals(zero, table.find(0));
            assertEquals(0, table.owner(0));
            assertEquals(FREE_ENTRY, table.insert(0, 1));

            final long minusOne = table.insert(-1, 1);
            final long min = table.insert(Integer.MIN_VALUE, 0);
            assertEquals(-1, SharedShardTable.shardOf(table.find(-1)));
            assertEquals(1, table.owner(-1));
            assertEquals(minusOne, table.find(-1));
            assertEquals(min, table.find(Integer.MIN_VALUE));
            assertEquals(0, table.owner(Integer.MIN_VALUE));
            assertEquals(NONE, table.owner(1), "shard 1 is not shard -1");
            assertEquals(NONE, table.owner(Integer.MAX_VALUE));
            assertEquals(2, table.shardsOf(0));
            assertEquals(1, table.shardsOf(1));

            assertTrue(table.compareAndSet(0, zero, SharedShardTable.emptied(zero)));
            assertTrue(SharedShardTable.isEmpty(table.find(0)));
            assertTrue(table.compareAndSet(0, SharedShardTable.emptied(zero), FREE_ENTRY));
            assertEquals(FREE_ENTRY, table.find(0));
            assertEquals(1, table.shardsOf(0));
        }
    }

    @Test
    void aFullSetTakesNoMoreUntilAnEntryIsEmptyThenReusesIt()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 1, 2, CAPACITY))
        {
            final int[] shardIds = {10, -20, 30, 0, 50, 60, 70, 80}; // one set: every shard is in it
            final long[] entries = new long[SharedShardTable.WAYS];
            for (int i = 0; i < SharedShardTable.WAYS; i++)
            {
                entries[i] = table.insert(shardIds[i], 0);
                assertNotEquals(FREE_ENTRY, entries[i], "shard " + shardIds[i]);
            }
            final int eighth = shardIds[SharedShardTable.WAYS];
            assertEquals(FREE_ENTRY, table.insert(eighth, 1), "7 active shards fill the set");
            assertEquals(FREE_ENTRY, table.insertByMaster(eighth, 1));
            assertEquals(NONE, table.owner(eighth));
            assertEquals(SharedShardTable.WAYS, table.shardsOf(0));
            assertEquals(0, table.shardsOf(1));

            assertTrue(table.compareAndSet(shardIds[3], entries[3], SharedShardTable.emptied(entries[3])), "the master empties shard 0");
            final long reused = table.insert(eighth, 1);
            assertEquals(SharedShardTable.entry(eighth, 1, false, 0), reused);
            assertEquals(reused, table.find(eighth));
            assertEquals(FREE_ENTRY, table.find(shardIds[3]), "the empty shard is forgotten");
            assertEquals(SharedShardTable.WAYS - 1, table.shardsOf(0), "its old owner loses it");
            assertEquals(1, table.shardsOf(1));
            for (int i = 0; i < SharedShardTable.WAYS; i++)
            {
                if (i != 3)
                {
                    assertEquals(entries[i], table.find(shardIds[i]), "shard " + shardIds[i] + " untouched");
                }
            }
            assertEquals(FREE_ENTRY, table.insert(shardIds[3], 1), "full again");
            assertEquals(SharedShardTable.WAYS, countEntries(table.path()).values().stream().mapToInt(Integer::intValue).sum());
        }
    }

    // ---------------------------------------------------------------- dead workers, locks

    @Test
    void removeAllOfFreesOnlyThatSlotsEntriesAndTheLocksItHeld()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable table = create(file, 1, 3, CAPACITY))
        {
            for (final int shardId : new int[] {1, 2, 3})
            {
                table.insert(shardId, 0);
            }
            for (final int shardId : new int[] {4, 5})
            {
                table.insert(shardId, 1);
            }
            final long emptiedOfZero = SharedShardTable.emptied(table.find(2));
            assertTrue(table.compareAndSet(2, table.find(2), emptiedOfZero));

            setLock(file, 0 + 1); // slot 0 died holding the set's lock
            assertEquals(FREE_ENTRY, table.insert(6, 2), "the lock is held: the inserter gives up");
            assertEquals(NONE, table.owner(6));

            assertEquals(2, table.removeAllOf(1, true));
            assertEquals(NONE, table.owner(4));
            assertEquals(NONE, table.owner(5));
            assertEquals(0, table.owner(1), "another slot's entries stay");
            assertEquals(emptiedOfZero, table.find(2));
            assertEquals(0, table.shardsOf(1));
            assertEquals(3, table.shardsOf(0));
            assertEquals(0 + 1, lock(file), "only the locks of the slot removed are freed");

            assertEquals(3, table.removeAllOf(0, false));
            assertEquals(0 + 1, lock(file), "without releaseLocks the lock stays");
            assertEquals(0, table.shardsOf(0));
            assertEquals(FREE_ENTRY, table.insert(6, 2));

            assertEquals(0, table.removeAllOf(0, true), "nothing left to free, but the lock");
            assertEquals(0, lock(file));
            final long inserted = table.insert(6, 2);
            assertEquals(SharedShardTable.entry(6, 2, false, 0), inserted);
            assertEquals(2, table.owner(6));
            assertEquals(1, table.shardsOf(2));
            assertEquals(0, lock(file), "the inserter unlocks");
            assertEquals(Map.of(6, 1), countEntries(file));
        }
    }

    @Test
    void removeAllOfCountsWhatItFreesAndKeepsTheMastersLock()
    {
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable table = create(file, 1, 2, CAPACITY))
        {
            table.insert(1, 0);
            table.insert(2, 0);
            table.insert(3, 1);
            setLock(file, 0xFFFF); // the master's mark
            assertEquals(2, table.removeAllOf(0, true));
            assertEquals(1, table.removeAllOf(1, true));
            assertEquals(0xFFFF, lock(file), "no worker's death frees the master's lock");
            assertEquals(Map.of(), countEntries(file));
            assertEquals(0, table.shardsOf(0));
            assertEquals(0, table.shardsOf(1));
        }
    }

    // ---------------------------------------------------------------- claiming

    @Test
    void aWorkerMayClaimBelowCapacityAndNearTheLeastLoadOfTheOtherClaimingWorkers()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 16, 4, CAPACITY))
        {
            assertFalse(table.mayClaim(0, 0, false), "not without the master's rights");
            for (int slot = 0; slot < 4; slot++)
            {
                table.grantRights(slot, true);
            }
            assertTrue(table.hasRights(0));
            assertTrue(table.mayClaim(0, 50, false), "alone: nobody to compare with");
            assertTrue(table.mayClaim(0, 0, false));

            table.publishLoad(0, 0, true); // its own record does not count against it
            table.publishLoad(1, 10, true);
            assertTrue(table.mayClaim(0, 10, false));
            assertTrue(table.mayClaim(0, 18, false), "within the slack of 8");
            assertFalse(table.mayClaim(0, 19, false));
            assertFalse(table.mayClaim(0, 150, false), "far above the least loaded");
            assertTrue(table.mayClaim(1, 0, false), "below everyone");

            table.publishLoad(1, 100, true);
            table.publishLoad(2, 120, true);
            assertTrue(table.mayClaim(0, 112, false), "least + least/8 when that is more than 8");
            assertFalse(table.mayClaim(0, 113, false));
            assertTrue(table.mayClaim(3, 5, false));

            table.publishLoad(1, 300, true);
            table.publishLoad(2, 300, true);
            assertTrue(table.mayClaim(0, CAPACITY - 1, false));
            assertFalse(table.mayClaim(0, CAPACITY, false), "at the worker capacity, however loaded the others");
            assertFalse(table.mayClaim(0, CAPACITY + 1, false));
        }
    }

    @Test
    void spreadAWorkerThatIsNotTheLeastLoadedTakesNoMoreShardsWithClientsThanTheFewestOfTheOthersPlusAnEighth()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 1024, 3, CAPACITY))
        {
            for (int slot = 0; slot < 3; slot++)
            {
                table.grantRights(slot, true);
                table.publishLoad(slot, 0, true);
            }
            // Four RTMP publishers, each its own vhost, all accepted by slot 0 before any player comes.
            assertTrue(table.mayClaim(0, 0, true));
            table.insert(1, 0);
            assertFalse(table.mayClaim(0, 1, true), "one shard ahead of workers as loaded as it: the master places the next");
            assertTrue(table.mayClaim(0, 1, false), "unless the protocol's shards say nothing of what follows: load alone");
            assertTrue(table.mayClaim(1, 0, true));
            table.publishLoad(1, 1, true);
            table.publishLoad(2, 1, true);
            assertTrue(table.mayClaim(0, 0, true), "below everyone's load it takes new shards whatever it has");
            table.publishLoad(1, 0, true);
            table.publishLoad(2, 0, true);

            table.insert(2, 1);
            table.insert(3, 2);
            assertTrue(table.mayClaim(0, 1, true), "as many as the fewest");
            final long emptied = table.find(1);
            assertTrue(table.compareAndSet(1, emptied, SharedShardTable.emptied(emptied)));
            table.insert(4, 0);
            assertTrue(table.mayClaim(0, 1, true), "an EMPTY shard does not count");

            for (int shard = 100; shard < 116; shard++)
            {
                table.insert(shard, 1);
                table.insert(shard + 100, 2);
            }
            for (int shard = 300; shard < 318; shard++)
            {
                table.insert(shard, 0);
            }
            assertEquals(19, table.activeShardsOf(0));
            assertEquals(17, table.activeShardsOf(1));
            assertTrue(table.mayClaim(0, 1, true), "17 + 17/8 = 19");
            table.insert(400, 0);
            assertFalse(table.mayClaim(0, 1, true));

            // A worker beside one hot shard: its lower load exempts it from the shard bound.
            table.publishLoad(1, CAPACITY - 10, true);
            table.publishLoad(2, CAPACITY - 10, true);
            assertTrue(table.mayClaim(0, 100, true));
        }
    }

    @Test
    void slotsThatDoNotClaimAreIgnored()
    {
        try (SharedShardTable table = create(tmp.resolve(SharedShardTable.FILE_NAME), 16, 4, CAPACITY))
        {
            table.grantRights(0, true);
            table.publishLoad(1, 40, true);
            table.publishLoad(2, 0, false); // draining or cold
            assertEquals(0, table.loadOf(2));
            assertFalse(table.isClaiming(2));
            assertTrue(table.mayClaim(0, 45, false));
            assertFalse(table.mayClaim(0, 49, false));

            table.publishLoad(3, 1, true);
            assertFalse(table.mayClaim(0, 45, false));
            table.clearSlot(3); // the worker is gone
            assertFalse(table.isClaiming(3));
            assertEquals(0, table.loadOf(3));
            assertTrue(table.mayClaim(0, 45, false));

            table.publishLoad(1, 40, false);
            assertTrue(table.mayClaim(0, CAPACITY - 1, false), "no claiming worker left to compare with");
        }
    }

    // ---------------------------------------------------------------- races

    @Test
    @Timeout(60)
    void racingWorkerThreadsNeverBothWinAShardAndEachEndsWithOneEntryOfItsLastWinner() throws Exception
    {
        final int workers = 4;
        final int shards = 20_000;
        final int maxGens = 8;
        final int[] shardIds = new int[shards];
        for (int i = 0; i < shards; i++)
        {
            shardIds[i] = i * 0x9E3779B1; // distinct (odd multiplier), negative ones too, and 0
        }
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        try (SharedShardTable master = create(file, 1 << 16, workers, CAPACITY))
        {
            final AtomicIntegerArray insertWins = new AtomicIntegerArray(shards);
            final AtomicIntegerArray winnerOfGen = new AtomicIntegerArray(shards * maxGens); // slot + 1
            final AtomicReference<String> problem = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++)
            {
                final int slot = w;
                final Thread worker = new Thread(() ->
                {
                    final int[] order = shuffled(shards, new Random(1_000 + slot));
                    try (SharedShardTable table = SharedShardTable.open(file))
                    {
                        await(start);
                        for (final int index : order)
                        {
                            final String failure = takeAsAWorker(table, shardIds[index], index, slot, insertWins, winnerOfGen, maxGens);
                            if (failure != null)
                            {
                                problem.compareAndSet(null, failure);
                            }
                        }
                    }
                    catch (final RuntimeException | Error e)
                    {
                        problem.compareAndSet(null, "slot " + slot + ": " + e);
                    }
                }, "worker-" + slot);
                worker.setDaemon(true);
                threads.add(worker);
            }
            final Thread emptier = new Thread(() ->
            {
                final Random random = new Random(7);
                await(start);
                while (!done.get())
                {
                    final int shardId = shardIds[random.nextInt(shards)];
                    final long entry = master.find(shardId);
                    if (entry != FREE_ENTRY && !SharedShardTable.isEmpty(entry))
                    {
                        master.compareAndSet(shardId, entry, SharedShardTable.emptied(entry));
                    }
                }
            }, "master-emptier");
            emptier.setDaemon(true);
            threads.forEach(Thread::start);
            emptier.start();
            start.countDown();
            try
            {
                for (final Thread worker : threads)
                {
                    worker.join(TimeUnit.SECONDS.toMillis(50));
                    assertFalse(worker.isAlive(), worker.getName() + " is stuck");
                }
            }
            finally
            {
                done.set(true);
                emptier.join(TimeUnit.SECONDS.toMillis(5));
            }
            assertNull(problem.get());

            final Map<Integer, Integer> entries = countEntries(file);
            int takes = 0;
            for (int i = 0; i < shards; i++)
            {
                final int shardId = shardIds[i];
                assertEquals(1, insertWins.get(i), "shard " + shardId + ": exactly one winner by insert");
                assertEquals(1, entries.getOrDefault(shardId, 0), "shard " + shardId + ": exactly one entry");
                final long entry = master.find(shardId);
                final int gen = SharedShardTable.genOf(entry);
                assertTrue(gen < maxGens, "shard " + shardId + " gen " + gen);
                for (int g = 0; g < maxGens; g++)
                {
                    assertEquals(g <= gen, winnerOfGen.get(i * maxGens + g) != 0, "shard " + shardId + ": a winner of gen " + g
                        + " iff gen " + g + " <= the entry's gen " + gen);
                }
                assertEquals(winnerOfGen.get(i * maxGens + gen) - 1, SharedShardTable.ownerOf(entry),
                    "shard " + shardId + ": owned by its last winner");
                takes += gen;
            }
            assertEquals(shards, entries.size(), "no entry of any other shard");
            int owned = 0;
            int active = 0;
            for (int slot = 0; slot < workers; slot++)
            {
                owned += master.shardsOf(slot);
                active += master.activeShardsOf(slot);
            }
            assertEquals(shards, owned);
            int notEmpty = 0;
            for (final int shardId : shardIds)
            {
                notEmpty += SharedShardTable.isEmpty(master.find(shardId)) ? 0 : 1;
            }
            assertEquals(notEmpty, active, "the active counts, kept by every racer's compare-and-set, add up");
            assertTrue(takes > 0, "the emptier made some shards change hands (takes " + takes + ")");
        }
    }

    @Test
    @Timeout(90)
    void racingWorkerProcessesNeverBothInsertAShard() throws Exception
    {
        final int shards = 100_000;
        final Path file = tmp.resolve(SharedShardTable.FILE_NAME);
        final Path ready = tmp.resolve("ready");
        final Path go = tmp.resolve("go");
        final Path out = tmp.resolve("racer.out");
        final Path err = tmp.resolve("racer.err");
        try (SharedShardTable table = create(file, 1 << 18, 2, CAPACITY))
        {
            final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            final Process racer = new ProcessBuilder(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                SharedShardTableRacer.class.getName(), file.toString(), Integer.toString(shards), tmp.resolve("racer-scratch").toString(),
                ready.toString(), go.toString())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            try
            {
                SharedShardTableRacer.warmUp(tmp.resolve("scratch"), shards); // both run compiled code, neck and neck
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.exists(ready) && racer.isAlive() && System.nanoTime() < deadline)
                {
                    Thread.sleep(1);
                }
                assertTrue(Files.exists(ready), "the racer did not get ready: " + Files.readString(err));
                Files.createFile(go);
                final boolean[] won = new boolean[shards];
                int wins = 0;
                for (int shardId = 0; shardId < shards; shardId++)
                {
                    if (table.insert(shardId, 0) != FREE_ENTRY)
                    {
                        won[shardId] = true;
                        wins++;
                    }
                }
                assertTrue(racer.waitFor(60, TimeUnit.SECONDS), "the racer did not finish");
                assertEquals(0, racer.exitValue(), Files.readString(out) + Files.readString(err));
                final String line = Files.readString(out).trim();
                assertTrue(line.startsWith("won "), line);
                final int racerWins = Integer.parseInt(line.substring("won ".length()));

                assertEquals(shards, wins + racerWins, "slot 0 won " + wins + ", slot 1 won " + racerWins);
                final Map<Integer, Integer> entries = countEntries(file);
                assertEquals(shards, entries.size());
                for (int shardId = 0; shardId < shards; shardId++)
                {
                    assertEquals(1, entries.getOrDefault(shardId, 0), "shard " + shardId + ": exactly one entry");
                    assertEquals(won[shardId] ? 0 : SharedShardTableRacer.SLOT, table.owner(shardId), "shard " + shardId);
                }
                assertEquals(wins, table.shardsOf(0));
                assertEquals(racerWins, table.shardsOf(SharedShardTableRacer.SLOT));
            }
            finally
            {
                if (racer.isAlive()) // a check above failed before it finished, or it outlived its 60 s
                {
                    racer.destroyForcibly();
                    racer.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    // ---------------------------------------------------------------- support

    /** A table whose workers take shards themselves, as these tests' workers do. */
    private static SharedShardTable create(final Path file, final int sets, final int slots, final int workerCapacity)
    {
        return SharedShardTable.create(file, sets, slots, workerCapacity, true);
    }

    /**
     * What a worker does for a new client of a shard: take it if nobody has it, or if it is empty
     * or its own; records each win by the gen it made.
     *
     * @return a description of a broken rule, or null
     */
    private static String takeAsAWorker(
        final SharedShardTable table,
        final int shardId,
        final int index,
        final int slot,
        final AtomicIntegerArray insertWins,
        final AtomicIntegerArray winnerOfGen,
        final int maxGens)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            final long entry = table.find(shardId);
            if (entry == FREE_ENTRY)
            {
                final long inserted = table.insert(shardId, slot);
                if (inserted != FREE_ENTRY)
                {
                    if (insertWins.incrementAndGet(index) != 1)
                    {
                        return "shard " + shardId + ": a second insert won, by slot " + slot;
                    }
                    return recordWin(winnerOfGen, index, maxGens, inserted, slot);
                }
            }
            else if (SharedShardTable.isEmpty(entry) || SharedShardTable.ownerOf(entry) == slot)
            {
                final long taken = SharedShardTable.taken(entry, slot);
                if (table.compareAndSet(shardId, entry, taken))
                {
                    return recordWin(winnerOfGen, index, maxGens, taken, slot);
                }
            }
            else
            {
                return null; // another worker serves it
            }
        }
        return "shard " + shardId + ": slot " + slot + " could neither insert it nor find it";
    }

    private static String recordWin(
        final AtomicIntegerArray winnerOfGen, final int index, final int maxGens, final long entry, final int slot)
    {
        final int gen = SharedShardTable.genOf(entry);
        if (gen >= maxGens)
        {
            return "shard " + SharedShardTable.shardOf(entry) + ": gen " + gen;
        }
        if (!winnerOfGen.compareAndSet(index * maxGens + gen, 0, slot + 1))
        {
            return "shard " + SharedShardTable.shardOf(entry) + ": gen " + gen + " won by slot " + slot + " and by slot "
                + (winnerOfGen.get(index * maxGens + gen) - 1);
        }
        return null;
    }

    private static int[] shuffled(final int count, final Random random)
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertNotATable(final Path file)
    {
        final IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedShardTable.open(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    /** Where the table puts its sets: the first multiple of 64 at or after the header and slot records. */
    private static int setsOffset(final int slots)
    {
        final int headerAndSlots = SharedShardTable.HEADER_LENGTH + slots * SharedShardTable.SLOT_LENGTH;
        return (headerAndSlots + SharedShardTable.SET_LENGTH - 1) / SharedShardTable.SET_LENGTH * SharedShardTable.SET_LENGTH;
    }

    /** The lock word of set 0, as another process sees it. */
    private static int lock(final Path file)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), "shards");
        try
        {
            final UnsafeBuffer raw = new UnsafeBuffer(mapped);
            return raw.getIntVolatile(setsOffset(raw.getInt(SharedShardTable.SLOTS_OFFSET)));
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /** Takes set 0's lock as {@code holder} would (slot + 1), through a mapping of its own. */
    private static void setLock(final Path file, final int holder)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), "shards");
        try
        {
            final UnsafeBuffer raw = new UnsafeBuffer(mapped);
            raw.putIntVolatile(setsOffset(raw.getInt(SharedShardTable.SLOTS_OFFSET)), holder);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    private static void writeInt(final Path file, final int offset, final int value)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), "shards");
        try
        {
            new UnsafeBuffer(mapped).putIntVolatile(offset, value);
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    /** shard id → how many entries of it the file holds, read word by word over every set. */
    private static Map<Integer, Integer> countEntries(final Path file)
    {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(), "shards");
        try
        {
            final UnsafeBuffer raw = new UnsafeBuffer(mapped);
            final int sets = raw.getInt(SharedShardTable.SETS_OFFSET);
            final int first = setsOffset(raw.getInt(SharedShardTable.SLOTS_OFFSET));
            final Map<Integer, Integer> counts = new HashMap<>();
            for (int set = 0; set < sets; set++)
            {
                for (int way = 1; way <= SharedShardTable.WAYS; way++)
                {
                    final long entry = raw.getLongVolatile(first + set * SharedShardTable.SET_LENGTH + way * Long.BYTES);
                    if (entry != FREE_ENTRY)
                    {
                        counts.merge(SharedShardTable.shardOf(entry), 1, Integer::sum);
                    }
                }
            }
            return counts;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }
}
