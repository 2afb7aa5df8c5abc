package dev.mpserver.protocol.counters;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.attribute.BasicFileAttributes;

import org.agrona.IoUtil;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Read-only view of a {@link CountersFile} written by another (possibly dead) process. Never
 * writes, never locks: the writer is not disturbed.
 *
 * <p>The file is untrusted input: anything in a run directory may be a leftover of another
 * version, truncated, or written by someone else. So it is opened without following symbolic
 * links, must be a regular file of exactly {@link CountersFile#FILE_LENGTH} bytes (only that much
 * is mapped), and every header field and counter record is checked against the layout before it is
 * used; nothing read from the file is ever used as an offset or a length without a bound. What does
 * not fit is reported ({@link CorruptCountersFileException}), never followed.
 *
 * <p>The records are walked once, when the file is opened (a writer allocates every counter before
 * it publishes its file, and never moves one): {@link #value} then finds a counter by its type id in
 * an index, and reads the live value, without walking the records or reading any label.
 */
public final class CountersFileReader implements AutoCloseable
{
    /** Worker slots are indexes into the master's table: far below this. */
    static final int MAX_SLOT = 1 << 16;
    /** Linux's largest pid_max (2^22). */
    static final int MAX_PID = 1 << 22;
    private static final int HOT_KEY_READ_ATTEMPTS = 8;
    private static final int NO_COUNTER = -1;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final UnsafeBuffer metadata;
    private final UnsafeBuffer values;
    /** Type id to counter id, as the records were when the file was opened. */
    private final Int2IntHashMap counterIdByType = new Int2IntHashMap(CountersFile.MAX_COUNTERS, 0.65f, NO_COUNTER);

    private CountersFileReader(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        this.metadata = new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, CountersFile.METADATA_LENGTH);
        this.values = new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + CountersFile.METADATA_LENGTH, CountersFile.VALUES_LENGTH);
    }

    /** @return a reader, or null if the file is missing, not completely written yet, or not a valid counters file. */
    public static CountersFileReader open(final Path path)
    {
        try
        {
            return openChecked(path);
        }
        catch (final CorruptCountersFileException ex)
        {
            return null;
        }
    }

    /**
     * @return a reader, or null if the file is missing or its writer has not published it yet
     * @throws CorruptCountersFileException if the file is not a counters file this build can read
     */
    public static CountersFileReader openChecked(final Path path) throws CorruptCountersFileException
    {
        final MappedByteBuffer mapped;
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isSymbolicLink())
            {
                throw new CorruptCountersFileException("is a symbolic link");
            }
            if (!attributes.isRegularFile())
            {
                throw new CorruptCountersFileException("is not a regular file");
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
            {
                final long size = channel.size();
                if (size != CountersFile.FILE_LENGTH)
                {
                    throw new CorruptCountersFileException("is " + size + " bytes long, not " + CountersFile.FILE_LENGTH);
                }
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, CountersFile.FILE_LENGTH);
            }
        }
        catch (final NoSuchFileException ex)
        {
            return null; // gone meanwhile: an exited worker's file the master folded into its totals
        }
        catch (final IOException ex)
        {
            throw new CorruptCountersFileException("cannot be read: " + ex.getMessage());
        }
        final CountersFileReader reader = new CountersFileReader(path, mapped);
        try
        {
            final int version = reader.header.getIntVolatile(CountersFile.VERSION_OFFSET);
            if (0 == version)
            {
                reader.close(); // its writer is still filling it in
                return null;
            }
            reader.checkHeader(version);
            reader.indexRecords();
            return reader;
        }
        catch (final CorruptCountersFileException ex)
        {
            reader.close();
            throw ex;
        }
    }

    private void checkHeader(final int version) throws CorruptCountersFileException
    {
        if (version != CountersFile.VERSION)
        {
            throw new CorruptCountersFileException("has layout version " + version + ", this build reads " + CountersFile.VERSION);
        }
        final int kind = kind();
        if (kind != CountersFile.KIND_MASTER && kind != CountersFile.KIND_WORKER)
        {
            throw new CorruptCountersFileException("names no process kind (" + kind + ")");
        }
        if (pid() < 1 || pid() > MAX_PID)
        {
            throw new CorruptCountersFileException("names no possible pid (" + pid() + ")");
        }
        final int lowestSlot = kind == CountersFile.KIND_MASTER ? -1 : 0;
        if (slot() < lowestSlot || slot() > MAX_SLOT)
        {
            throw new CorruptCountersFileException("names no possible worker slot (" + slot() + ")");
        }
        final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
        if (metadataLength != CountersFile.METADATA_LENGTH || valuesLength != CountersFile.VALUES_LENGTH)
        {
            throw new CorruptCountersFileException("declares counters of " + metadataLength + "+" + valuesLength +
                " bytes, not " + CountersFile.METADATA_LENGTH + "+" + CountersFile.VALUES_LENGTH);
        }
    }

    public Path path()
    {
        return path;
    }

    public int kind()
    {
        return header.getInt(CountersFile.KIND_OFFSET);
    }

    public int pid()
    {
        return header.getInt(CountersFile.PID_OFFSET);
    }

    public int slot()
    {
        return header.getInt(CountersFile.SLOT_OFFSET);
    }

    public long startTimeMillis()
    {
        return header.getLong(CountersFile.START_TIME_OFFSET);
    }

    public long heartbeatMillis()
    {
        return header.getLongVolatile(CountersFile.HEARTBEAT_OFFSET);
    }

    /** @return the live value of the counter with {@code typeId}, or 0 if this file has none */
    public long value(final int typeId)
    {
        final int counterId = counterIdByType.get(typeId);
        return NO_COUNTER == counterId ? 0 : values.getLongVolatile(counterId * CountersReader.COUNTER_LENGTH);
    }

    /**
     * Walks the records as Agrona lays them out (see {@link CountersReader}), each offset below the
     * buffer's fixed length, each label length checked, and indexes the allocated ones by type id
     * (hot-key entries share theirs: they are read by {@link #hotKeys}, not by type id).
     *
     * @throws CorruptCountersFileException at a record that is not in that layout
     */
    private void indexRecords() throws CorruptCountersFileException
    {
        for (int id = 0; id < CountersFile.MAX_COUNTERS; id++)
        {
            final int record = id * CountersReader.METADATA_LENGTH;
            final int state = metadata.getIntVolatile(record);
            if (state == CountersReader.RECORD_UNUSED)
            {
                return;
            }
            if (state == CountersReader.RECORD_RECLAIMED)
            {
                continue;
            }
            if (state != CountersReader.RECORD_ALLOCATED)
            {
                throw new CorruptCountersFileException("has counter record " + id + " in no known state (" + state + ")");
            }
            final int labelLength = metadata.getInt(record + CountersReader.LABEL_OFFSET);
            if (labelLength < 0 || labelLength > CountersReader.MAX_LABEL_LENGTH)
            {
                throw new CorruptCountersFileException("has counter record " + id + " with a label of " + labelLength + " bytes");
            }
            final int typeId = metadata.getInt(record + CountersReader.TYPE_ID_OFFSET);
            if (HotKeys.TYPE_ID != typeId)
            {
                counterIdByType.put(typeId, id);
            }
        }
    }

    /**
     * The hot-key entries of a worker's file that are in use ({@link HotKeys}), each read under its
     * guard: a label read while the worker rewrote it (odd guard, or a guard that moved) is read
     * again, a few times at most; every record is bounded as when the file was opened.
     */
    public List<String> hotKeys()
    {
        final List<String> entries = new ArrayList<>();
        for (int id = 0; id < CountersFile.MAX_COUNTERS; id++)
        {
            final int record = id * CountersReader.METADATA_LENGTH;
            final int state = metadata.getIntVolatile(record);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break;
            }
            if (state != CountersReader.RECORD_ALLOCATED || metadata.getInt(record + CountersReader.TYPE_ID_OFFSET) != HotKeys.TYPE_ID)
            {
                continue;
            }
            for (int attempt = 0; attempt < HOT_KEY_READ_ATTEMPTS; attempt++)
            {
                final long before = values.getLongVolatile(id * CountersReader.COUNTER_LENGTH);
                final int labelLength = metadata.getInt(record + CountersReader.LABEL_OFFSET);
                final String text = labelLength < 0 || labelLength > CountersReader.MAX_LABEL_LENGTH ? "" :
                    metadata.getStringWithoutLengthAscii(record + CountersReader.LABEL_OFFSET + Integer.BYTES, labelLength);
                if ((before & 1) == 0 && before == values.getLongVolatile(id * CountersReader.COUNTER_LENGTH))
                {
                    if (!text.isEmpty())
                    {
                        entries.add(text);
                    }
                    break;
                }
                Thread.onSpinWait();
            }
        }
        return entries;
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }
}
