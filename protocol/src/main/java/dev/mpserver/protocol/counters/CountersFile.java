package dev.mpserver.protocol.counters;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * One process's counters in a memory-mapped file that {@code mpserver stat} reads from outside,
 * AeronStat-style: Agrona's {@link CountersManager} metadata and values buffers behind a small
 * header. The owner is the only writer and writes each counter in place ({@link #counter}) with
 * ordered stores, so a reader sees live values; {@link #heartbeat} says it is alive.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                version (written last, ordered)                |  @0
 *  +---------------------------------------------------------------+
 *  |                 process kind (1 master, 2 worker)             |  @4
 *  +---------------------------------------------------------------+
 *  |                             pid                               |  @8
 *  +---------------------------------------------------------------+
 *  |                      worker slot (-1 master)                  |  @12
 *  +---------------------------------------------------------------+
 *  |                   start time (epoch ms, long)                 |  @16
 *  +---------------------------------------------------------------+
 *  |            heartbeat: last update (epoch ms, long)            |  @24
 *  +---------------------------------------------------------------+
 *  |                       metadata length                         |  @32
 *  +---------------------------------------------------------------+
 *  |                        values length                          |  @36
 *  +---------------------------------------------------------------+
 *  |                      reserved to 64 bytes                     |  @40
 *  +---------------------------------------------------------------+
 *  |        counters metadata (Agrona CountersManager layout)      |  @64
 *  +---------------------------------------------------------------+
 *  |          counters values (Agrona CountersManager layout)      |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A reader trusts nothing until it sees {@link #VERSION}, which the writer stores after
 * everything else, so a half-written file is never read.
 */
public final class CountersFile implements AutoCloseable
{
    public static final int VERSION = 1;
    public static final int KIND_MASTER = 1;
    public static final int KIND_WORKER = 2;

    public static final int VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = VERSION_OFFSET + Integer.BYTES;
    public static final int PID_OFFSET = KIND_OFFSET + Integer.BYTES;
    public static final int SLOT_OFFSET = PID_OFFSET + Integer.BYTES;
    public static final int START_TIME_OFFSET = SLOT_OFFSET + Integer.BYTES;
    public static final int HEARTBEAT_OFFSET = START_TIME_OFFSET + Long.BYTES;
    public static final int METADATA_LENGTH_OFFSET = HEARTBEAT_OFFSET + Long.BYTES;
    public static final int VALUES_LENGTH_OFFSET = METADATA_LENGTH_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = 64;

    /** Room for this many counters per file (a master has its own plus one per worker counter). */
    public static final int MAX_COUNTERS = 128;
    public static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
    public static final int METADATA_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    public static final int FILE_LENGTH = HEADER_LENGTH + METADATA_LENGTH + VALUES_LENGTH;

    public static final String SUFFIX = ".counters";
    public static final String MASTER_FILE = "master" + SUFFIX;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersManager manager;
    private final AtomicCounter[] counters;
    private int size;

    private CountersFile(final Path path, final int kind, final int pid, final int slot)
    {
        this.path = path;
        // A file left by an earlier run (same --run-dir) is replaced, not an error; the port, bound
        // before this, already proved no other server of this run dir is alive.
        IoUtil.deleteIfExists(path.toFile());
        this.mapped = IoUtil.mapNewFile(path.toFile(), FILE_LENGTH, true);
        this.header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final AtomicBuffer metadata = new UnsafeBuffer(mapped, HEADER_LENGTH, METADATA_LENGTH);
        final AtomicBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + METADATA_LENGTH, VALUES_LENGTH);
        this.manager = new CountersManager(metadata, values);
        this.counters = new AtomicCounter[MAX_COUNTERS];
        header.putInt(KIND_OFFSET, kind);
        header.putInt(PID_OFFSET, pid);
        header.putInt(SLOT_OFFSET, slot);
        header.putLong(START_TIME_OFFSET, System.currentTimeMillis());
        header.putLong(HEARTBEAT_OFFSET, System.currentTimeMillis());
        header.putInt(METADATA_LENGTH_OFFSET, METADATA_LENGTH);
        header.putInt(VALUES_LENGTH_OFFSET, VALUES_LENGTH);
    }

    public static CountersFile forMaster(final Path runDir, final int pid)
    {
        final CountersFile file = new CountersFile(runDir.resolve(MASTER_FILE), KIND_MASTER, pid, -1);
        for (final MasterCounter counter : MasterCounter.values())
        {
            file.add(counter.typeId(), counter.label());
        }
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            file.add(MasterCounter.RETIRED_TYPE_ID_BASE + counter.ordinal(), "exited workers: " + counter.label());
        }
        return file.publish();
    }

    public static CountersFile forWorker(final Path runDir, final int pid, final int slot)
    {
        final CountersFile file = new CountersFile(workerFile(runDir, pid), KIND_WORKER, pid, slot);
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            file.add(counter.typeId(), counter.label());
        }
        return file.publish();
    }

    public static Path workerFile(final Path runDir, final long pid)
    {
        return runDir.resolve("worker-" + pid + SUFFIX);
    }

    /**
     * The counter at {@code index} (in the order {@link #forMaster}/{@link #forWorker} added them),
     * for an owner that writes its counters in place: it must be their only writer, with ordered
     * stores ({@code incrementOrdered}, {@code getAndAddOrdered}, {@code setOrdered}).
     */
    public AtomicCounter counter(final int index)
    {
        return counters[index];
    }

    /** Tells readers the owner is alive: the last-update time, ordered. */
    public void heartbeat()
    {
        header.putLongOrdered(HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    public Path path()
    {
        return path;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    /** Unmaps and removes the file (an orderly exit whose last values are kept elsewhere). */
    public void delete()
    {
        close();
        IoUtil.delete(new File(path.toString()), true);
    }

    private void add(final int typeId, final String label)
    {
        counters[size++] = manager.newCounter(label, typeId);
    }

    private CountersFile publish()
    {
        header.putIntOrdered(VERSION_OFFSET, VERSION);
        return this;
    }
}
