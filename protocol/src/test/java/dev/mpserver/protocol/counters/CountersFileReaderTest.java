package dev.mpserver.protocol.counters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Counters files are untrusted input: every way a file can be wrong is reported, never followed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountersFileReaderTest
{
    private static final int PID = 4242;
    private static final int SLOT = 3;

    @TempDir
    Path dir;

    @Test
    void readsWhatAWorkerWrote() throws Exception
    {
        final Path file = workerFile(17);
        try (CountersFileReader reader = CountersFileReader.openChecked(file))
        {
            assertNotNull(reader);
            assertEquals(CountersFile.KIND_WORKER, reader.kind());
            assertEquals(PID, reader.pid());
            assertEquals(SLOT, reader.slot());
            assertEquals(17, reader.value(WorkerCounter.MESSAGES.typeId()));
        }
    }

    @Test
    void valuesAreLiveAndFoundByTypeIdWhereverTheirRecordIs() throws Exception
    {
        try (CountersFile file = CountersFile.forWorker(dir, PID, SLOT);
            CountersFileReader reader = CountersFileReader.openChecked(file.path()))
        {
            assertNotNull(reader);
            file.counter(WorkerCounter.STALE_REGISTRATIONS.ordinal()).setOrdered(5);
            file.counter(WorkerCounter.CLIENTS.ordinal()).setOrdered(3);
            assertEquals(5, reader.value(WorkerCounter.STALE_REGISTRATIONS.typeId()), "the last record, written after the open");
            assertEquals(3, reader.value(WorkerCounter.CLIENTS.typeId()), "the first record");
            assertEquals(0, reader.value(MasterCounter.DEATHS.typeId()), "a type this file has none of");
            assertEquals(0, reader.value(HotKeys.TYPE_ID), "hot-key entries are labels, not values");
        }
    }

    @Test
    void aFileItsWriterHasNotPublishedYetIsSkippedQuietly() throws Exception
    {
        final Path file = workerFile(1);
        putInt(file, CountersFile.VERSION_OFFSET, 0);
        assertNull(CountersFileReader.openChecked(file));
    }

    @Test
    void aMissingFileIsNoError() throws Exception
    {
        assertNull(CountersFileReader.openChecked(dir.resolve("worker-1.counters")));
    }

    @Test
    void truncatedOrExtendedFilesAreReported() throws Exception
    {
        final Path file = workerFile(1);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        assertCorrupt(file, "is 100 bytes long");
        Files.write(file, new byte[CountersFile.FILE_LENGTH + 1]);
        assertCorrupt(file, "bytes long");
        Files.write(file, new byte[0]);
        assertCorrupt(file, "is 0 bytes long");
    }

    @Test
    void everyHeaderFieldIsChecked() throws Exception
    {
        assertCorrupt(withInt(CountersFile.VERSION_OFFSET, 99), "layout version 99");
        assertCorrupt(withInt(CountersFile.KIND_OFFSET, 7), "no process kind (7)");
        assertCorrupt(withInt(CountersFile.PID_OFFSET, -5), "no possible pid (-5)");
        assertCorrupt(withInt(CountersFile.PID_OFFSET, Integer.MAX_VALUE), "no possible pid");
        assertCorrupt(withInt(CountersFile.SLOT_OFFSET, -1), "no possible worker slot (-1)");
        assertCorrupt(withInt(CountersFile.METADATA_LENGTH_OFFSET, Integer.MAX_VALUE), "declares counters of");
        assertCorrupt(withInt(CountersFile.VALUES_LENGTH_OFFSET, -8), "declares counters of");
    }

    @Test
    void counterRecordsAreCheckedBeforeTheirLabelsAreRead() throws Exception
    {
        final int secondRecord = CountersFile.HEADER_LENGTH + CountersReader.METADATA_LENGTH;
        assertCorrupt(withInt(secondRecord, 42), "record 1 in no known state (42)");
        assertCorrupt(withInt(secondRecord + CountersReader.LABEL_OFFSET, 1_000_000_000), "label of 1000000000 bytes");
        assertCorrupt(withInt(secondRecord + CountersReader.LABEL_OFFSET, -1), "label of -1 bytes");
    }

    @Test
    void symbolicLinksFifosAndDirectoriesAreNotFollowed() throws Exception
    {
        final Path real = workerFile(1);
        final Path link = Files.createSymbolicLink(dir.resolve("worker-9.counters"), real);
        assertCorrupt(link, "symbolic link");
        final Path fifo = dir.resolve("worker-10.counters");
        final Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        assertCorrupt(fifo, "not a regular file"); // opening it would block until a writer came
        assertCorrupt(Files.createDirectory(dir.resolve("worker-11.counters")), "not a regular file");
    }

    @Test
    void randomDamageIsEitherReadOrReportedNeverThrownOrFollowed() throws Exception
    {
        final byte[] good = Files.readAllBytes(workerFile(5));
        final Random random = new Random(20251130L);
        final Path file = dir.resolve("fuzzed.counters");
        int reported = 0;
        for (int round = 0; round < 400; round++)
        {
            final byte[] damaged = good.clone();
            final int hits = 1 + random.nextInt(16);
            for (int i = 0; i < hits; i++)
            {
                // mostly where it matters: the header and the first records' metadata
                final int at = random.nextBoolean() ? random.nextInt(CountersFile.HEADER_LENGTH + 4 * CountersReader.METADATA_LENGTH)
                    : random.nextInt(damaged.length);
                damaged[at] = (byte)random.nextInt();
            }
            Files.write(file, damaged);
            try (CountersFileReader reader = CountersFileReader.openChecked(file))
            {
                if (null != reader)
                {
                    for (final WorkerCounter counter : WorkerCounter.values())
                    {
                        reader.value(counter.typeId());
                    }
                    reader.hotKeys().forEach(entry -> assertTrue(entry.length() <= CountersReader.MAX_LABEL_LENGTH, entry));
                }
            }
            catch (final CorruptCountersFileException ex)
            {
                reported++;
                assertTrue(!ex.getMessage().isBlank() && !ex.getMessage().contains("\n"), ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                fail("round " + round + ": a damaged file made the reader throw " + ex, ex);
            }
        }
        assertTrue(reported > 0, "some damage must have been caught");
    }

    @Test
    void runDirCountersSkipsAndNamesCorruptFilesAndReadsTheRest() throws Exception
    {
        try (CountersFile master = CountersFile.forMaster(dir, 100))
        {
            master.heartbeat();
        }
        workerFile(7);
        Files.write(dir.resolve("worker-555.counters"), new byte[] {1, 2, 3});
        final Path renamed = dir.resolve("worker-777.counters");
        Files.copy(CountersFile.workerFile(dir, PID), renamed);
        final RunDirCounters counters = RunDirCounters.read(dir);
        assertNotNull(counters.master());
        assertEquals(1, counters.workers().size(), "the one good worker file");
        assertEquals(7, counters.total(WorkerCounter.MESSAGES));
        assertEquals(2, counters.problems().size(), String.valueOf(counters.problems()));
        assertTrue(counters.problems().stream().anyMatch(p -> p.startsWith("worker-555.counters is 3 bytes long")), counters.problems().toString());
        assertTrue(counters.problems().stream().anyMatch(p -> p.startsWith("worker-777.counters does not hold")), counters.problems().toString());
    }

    private Path workerFile(final long messages)
    {
        try (CountersFile file = CountersFile.forWorker(dir, PID, SLOT))
        {
            file.counter(WorkerCounter.MESSAGES.ordinal()).setOrdered(messages);
            file.heartbeat();
            return file.path();
        }
    }

    private Path withInt(final int offset, final int value) throws IOException
    {
        final Path file = workerFile(1);
        putInt(file, offset, value);
        return file;
    }

    private static void putInt(final Path file, final int offset, final int value) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
        }
    }

    private static void assertCorrupt(final Path file, final String why)
    {
        final CorruptCountersFileException ex = assertThrows(CorruptCountersFileException.class, () -> CountersFileReader.openChecked(file));
        assertTrue(ex.getMessage().contains(why), ex.getMessage());
        assertNull(CountersFileReader.open(file), "open() says null for the same file");
    }
}
