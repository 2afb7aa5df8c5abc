package dev.mpserver.protocol.counters;

import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Read-only view of a {@link CountersFile} written by another (possibly dead) process. Never
 * writes, never locks: the writer is not disturbed.
 */
public final class CountersFileReader implements AutoCloseable
{
    private static final int HOT_KEY_READ_ATTEMPTS = 8;

    private final Path path;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader reader;

    private CountersFileReader(final Path path, final MappedByteBuffer mapped)
    {
        this.path = path;
        this.mapped = mapped;
        this.header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        this.reader = new CountersReader(
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, header.getInt(CountersFile.METADATA_LENGTH_OFFSET)),
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + header.getInt(CountersFile.METADATA_LENGTH_OFFSET),
                header.getInt(CountersFile.VALUES_LENGTH_OFFSET)));
    }

    /** @return a reader, or null if the file is missing, too short, or not completely written yet. */
    public static CountersFileReader open(final Path path)
    {
        try
        {
            if (!Files.isRegularFile(path) || Files.size(path) < CountersFile.FILE_LENGTH)
            {
                return null;
            }
            final MappedByteBuffer mapped = IoUtil.mapExistingFile(path.toFile(), "counters");
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
            if (header.getIntVolatile(CountersFile.VERSION_OFFSET) != CountersFile.VERSION)
            {
                IoUtil.unmap(mapped);
                return null;
            }
            return new CountersFileReader(path, mapped);
        }
        catch (final java.io.IOException | IllegalStateException ex)
        {
            return null;
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

    /** @return the value of the counter with {@code typeId}, or 0 if this file has none. */
    public long value(final int typeId)
    {
        final long[] found = {0};
        reader.forEach((counterId, type, keyBuffer, label) ->
        {
            if (type == typeId)
            {
                found[0] = reader.getCounterValue(counterId);
            }
        });
        return found[0];
    }

    /**
     * The hot-key entries of a worker's file that are in use ({@link HotKeys}), each read under its
     * guard: a label read while the worker rewrote it is read again, a few times at most.
     */
    public List<String> hotKeys()
    {
        final List<String> entries = new ArrayList<>();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (typeId == HotKeys.TYPE_ID)
            {
                for (int attempt = 0; attempt < HOT_KEY_READ_ATTEMPTS; attempt++)
                {
                    final long before = reader.getCounterValue(counterId);
                    final String text = reader.getCounterLabel(counterId);
                    if ((before & 1) == 0 && before == reader.getCounterValue(counterId))
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
        });
        return entries;
    }

    /** Every counter: type id, label, value. */
    public void forEach(final CounterVisitor visitor)
    {
        reader.forEach((counterId, typeId, keyBuffer, label) -> visitor.onCounter(typeId, label, reader.getCounterValue(counterId)));
    }

    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    @FunctionalInterface
    public interface CounterVisitor
    {
        void onCounter(int typeId, String label, long value);
    }
}
