package dev.mpserver.master.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.protocol.shard.SharedShardTable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which worker a new shard goes to; slots are set up by hand (no channel, no process). */
class PlacementTest
{
    private static final int CAPACITY = 10;
    private static final int MAX_CLIENTS = 100;
    private static final int MAX_WORKERS = 3;

    private WorkerTable table;
    private int spawns;
    private int promotions;
    private Placement placement;

    @BeforeEach
    void setUp()
    {
        table = new WorkerTable(MAX_WORKERS * 2, 16);
        spawns = 0;
        promotions = 0;
        placement = new Placement(table, CAPACITY, MAX_WORKERS, this::promoteAStandby, () ->
        {
            spawns++;
            final WorkerSlot slot = table.freeSlot();
            slot.start(100 + slot.index, table.generation(), null, false, 0);
            return slot.index;
        });
    }

    /** As the supervisor does (its PROMOTE aside). */
    private int promoteAStandby()
    {
        final WorkerSlot standby = table.standbyToPromote();
        if (null == standby)
        {
            return WorkerSlot.NO_SLOT;
        }
        promotions++;
        standby.standby = false;
        return standby.index;
    }

    private WorkerSlot worker(final int index, final int state, final int reportedLoad)
    {
        final WorkerSlot slot = table.slot(index);
        slot.start(100 + index, table.generation(), null, false, 0);
        slot.state = state;
        slot.onLoadReport(reportedLoad, 0, MAX_CLIENTS);
        return slot;
    }

    @Test
    void theLeastLoadedReadyWorkerWithTheLowestSlotOnTies()
    {
        worker(0, WorkerSlot.READY, 5);
        worker(1, WorkerSlot.READY, 2);
        worker(2, WorkerSlot.READY, 2);
        assertEquals(1, placement.place());
    }

    @Test
    void aWarmWorkerGoesBeforeAColdOneHoweverLoaded()
    {
        worker(0, WorkerSlot.READY, 0); // a respawned worker, warming up
        worker(1, WorkerSlot.READY, 8).warm = true;
        assertEquals(1, placement.place(), "the cold one meets new clients only when no warm one has room");
        worker(1, WorkerSlot.READY, CAPACITY);
        table.slot(1).warm = true;
        assertEquals(0, placement.place());
    }

    /** The rights a worker needs to take new shards itself follow the same rules, in the shard table. */
    @Test
    void workersMayTakeNewShardsThemselvesWhereThisPlacementWouldPutThem(@TempDir final Path dir)
    {
        try (SharedShardTable shards = SharedShardTable.create(dir.resolve(SharedShardTable.FILE_NAME), 16, MAX_WORKERS * 2, CAPACITY,
            true))
        {
            worker(0, WorkerSlot.READY, 5).warm = true;
            worker(1, WorkerSlot.READY, CAPACITY).warm = true;
            worker(2, WorkerSlot.READY, 0);
            placement.publishRights(shards);
            assertTrue(shards.hasRights(0));
            assertFalse(shards.hasRights(1), "at capacity");
            assertFalse(shards.hasRights(2), "not warm yet");

            table.nextGeneration();
            worker(3, WorkerSlot.READY, 0);
            placement.publishRights(shards);
            assertTrue(shards.hasRights(0), "the old generation while the new one is not warm");
            table.slot(3).warm = true;
            placement.publishRights(shards);
            assertFalse(shards.hasRights(0), "a reload's old generation, once a worker of the new one is warm");
            assertTrue(shards.hasRights(3));
            table.slot(3).state = WorkerSlot.DRAINING;
            placement.publishRights(shards);
            assertFalse(shards.hasRights(3), "draining");
        }
    }

    @Test
    void duringAReloadTheOldGenerationServesUntilTheNewOneIsWarm()
    {
        worker(0, WorkerSlot.READY, 5).warm = true;
        table.nextGeneration();
        worker(1, WorkerSlot.READY, 0);
        assertEquals(0, placement.place(), "the new generation is not warm yet");
        table.slot(1).warm = true;
        assertEquals(1, placement.place(), "warm: the current generation first");
    }

    @Test
    void handOffsSentSinceTheLastReportCountAsLoadUntilAReportCoversThem()
    {
        final WorkerSlot quiet = worker(0, WorkerSlot.READY, 1);
        worker(1, WorkerSlot.READY, 3);
        quiet.onHandoffSent(7);
        quiet.onHandoffSent(8);
        quiet.onHandoffSent(9);
        assertEquals(4, quiet.load());
        assertEquals(1, placement.place(), "a burst sent to slot 0 is not reflected in its report yet");
        quiet.onLoadReport(4, 8, MAX_CLIENTS); // read up to seq 8: the third is still in flight
        assertEquals(5, quiet.load());
        quiet.onLoadReport(1, 9, MAX_CLIENTS); // all read, and two of them left again
        assertEquals(0, placement.place());
    }

    @Test
    void aWorkerThatReturnedAClientForWantOfRoomTakesNoShardUntilAReportShowsRoom()
    {
        final WorkerSlot full = worker(0, WorkerSlot.READY, 0);
        worker(1, WorkerSlot.READY, 5);
        full.onHandoffSent(4);
        full.onReturnedFull(4);
        assertEquals(1, placement.place());
        full.onLoadReport(0, 3, MAX_CLIENTS);
        assertEquals(1, placement.place(), "a report older than the RETURN says nothing");
        full.onLoadReport(0, 4, MAX_CLIENTS);
        assertEquals(0, placement.place());
    }

    @Test
    void aWorkerAtCapacityTakesNoShard()
    {
        worker(0, WorkerSlot.READY, CAPACITY);
        worker(1, WorkerSlot.READY, CAPACITY - 1);
        assertEquals(1, placement.place());
    }

    @Test
    void aStartingWorkerWhenNoReadyOneHasRoomThenANewWorker()
    {
        worker(0, WorkerSlot.READY, CAPACITY);
        worker(1, WorkerSlot.STARTING, 3);
        worker(2, WorkerSlot.STARTING, 1);
        assertEquals(2, placement.place());
        assertEquals(0, spawns);
        table.slot(1).onLoadReport(CAPACITY, 0, MAX_CLIENTS);
        table.slot(2).onLoadReport(CAPACITY, 0, MAX_CLIENTS);
        assertEquals(WorkerSlot.NO_SLOT, placement.place(), "--max-workers 3 are live");
        table.slot(0).state = WorkerSlot.DRAINING;
        assertEquals(3, placement.place(), "a new worker in the first free slot (0 still has a process)");
        assertEquals(1, spawns);
    }

    @Test
    void onlyTheCurrentGenerationTakesNewShards()
    {
        worker(0, WorkerSlot.READY, 0);
        table.nextGeneration();
        worker(1, WorkerSlot.READY, 8);
        assertEquals(1, placement.place());
    }

    @Test
    void drainingAndGoneWorkersTakeNoShard()
    {
        worker(0, WorkerSlot.DRAINING, 0);
        worker(1, WorkerSlot.GONE, 0);
        worker(2, WorkerSlot.READY, 9);
        assertEquals(2, placement.place());
    }

    @Test
    void aStandbyIsPromotedBeforeANewWorkerStarts()
    {
        worker(0, WorkerSlot.READY, CAPACITY).warm = true;
        final WorkerSlot standby = worker(1, WorkerSlot.READY, 0);
        standby.warm = true;
        standby.standby = true;
        assertEquals(1, placement.place(), "warm, and no JVM start for its clients");
        assertEquals(1, promotions);
        assertEquals(0, spawns);

        table.slot(1).onLoadReport(CAPACITY, 0, MAX_CLIENTS);
        worker(2, WorkerSlot.STARTING, 0).standby = true; // the next standby, starting
        assertEquals(2, placement.place(), "a standby still starting: its clients wait for its READY, as for a new worker's");
        assertEquals(2, promotions);
        assertEquals(0, spawns);
    }

    @Test
    void aStandbyThatCannotBePromotedStillCountsInMaxWorkers()
    {
        worker(0, WorkerSlot.READY, CAPACITY).warm = true;
        worker(1, WorkerSlot.READY, 0).standby = true;
        table.nextGeneration(); // a standby of an older generation is never promoted
        worker(2, WorkerSlot.READY, CAPACITY).warm = true;
        assertEquals(WorkerSlot.NO_SLOT, placement.place(), "2 live workers and a standby are --max-workers 3 processes");
        assertEquals(0, promotions);
        assertEquals(0, spawns);
        table.slot(1).state = WorkerSlot.DRAINING;
        assertEquals(3, placement.place(), "once it is told to quit, a new worker fits");
        assertEquals(1, spawns);
    }
}
