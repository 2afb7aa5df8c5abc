package dev.mpserver.protocol.rundir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.posix.Posix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest
{
    @TempDir
    Path tmp;

    @Test
    void defaultIsUnderTheFirstWritableBaseAndCommandsFindAnExistingOne() throws IOException
    {
        final Path missing = tmp.resolve("no-such-base");
        final Path first = Files.createDirectory(tmp.resolve("xdg"));
        final Path second = Files.createDirectory(tmp.resolve("run"));
        assertEquals(first.resolve("mpserver-9000"), RunDirectory.defaultFor(9000, List.of(missing, first, second), base -> false));
        Files.createDirectory(second.resolve("mpserver-9000"));
        assertEquals(second.resolve("mpserver-9000"), RunDirectory.find(9000, List.of(missing, first, second)),
            "stat finds the server's directory even where it would not have created one");
        assertEquals(first.resolve("mpserver-9001"), RunDirectory.find(9001, List.of(missing, first, second)));
    }

    @Test
    void xdgRuntimeDirComesFirstThenRunThenDevShmThenTmp()
    {
        assertEquals(List.of(Path.of("/run/user/1000"), Path.of("/run"), Path.of("/dev/shm"), Path.of("/tmp")),
            RunDirectory.bases(Map.of(RunDirectory.XDG_RUNTIME_DIR, "/run/user/1000")));
        assertEquals(List.of(Path.of("/run"), Path.of("/dev/shm"), Path.of("/tmp")),
            RunDirectory.bases(Map.of(RunDirectory.XDG_RUNTIME_DIR, "relative")));
        assertEquals(List.of(Path.of("/run"), Path.of("/dev/shm"), Path.of("/tmp")), RunDirectory.bases(Map.of()));
    }

    /** A base in memory goes before an earlier one on disk; with none in memory, the first writable. */
    @Test
    void theDefaultIsUnderAWritableBaseInMemoryBeforeOneOnDisk() throws IOException
    {
        final Path disk = Files.createDirectory(tmp.resolve("run"));
        final Path memory = Files.createDirectory(tmp.resolve("shm"));
        final List<Path> bases = List.of(disk, tmp.resolve("no-such-shm"), memory);
        assertEquals(memory.resolve("mpserver-9000"), RunDirectory.defaultFor(9000, bases, base -> !base.equals(disk)));
        assertEquals(disk.resolve("mpserver-9000"), RunDirectory.defaultFor(9000, bases, base -> false));
        Files.createDirectory(disk.resolve("mpserver-9000"));
        assertEquals(disk.resolve("mpserver-9000"), RunDirectory.find(9000, bases), "stat finds an existing one first, as before");
        Files.createDirectory(memory.resolve("mpserver-9000"));
        Files.writeString(PidFile.in(memory.resolve("mpserver-9000")), "4242\n");
        assertEquals(memory.resolve("mpserver-9000"), RunDirectory.find(9000, bases),
            "but one with a pid file before a stopped server's in an earlier place");
    }

    /** The file system type, read from the real mounts: /dev/shm is tmpfs on Linux. */
    @Test
    void devShmIsInMemoryAndItsRunDirectoryNeedsNoWarning()
    {
        assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm here");
        assertEquals("tmpfs", RunDirectory.fileSystemType(Path.of("/dev/shm")));
        assertTrue(RunDirectory.isInMemory(Path.of("/dev/shm")));
        assertEquals(null, RunDirectory.diskWarning(Path.of("/dev/shm")));
        if (!RunDirectory.isInMemory(tmp))
        {
            final String warning = RunDirectory.diskWarning(tmp);
            assertTrue(warning.contains(tmp + " is on " + RunDirectory.fileSystemType(tmp) + ", not in memory"), warning);
        }
    }

    @Test
    void createsItMode0700AndAcceptsItAgain() throws IOException
    {
        final Path dir = tmp.resolve("a/b/mpserver-1");
        assertEquals(dir, RunDirectory.prepare(dir));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(dir, RunDirectory.prepare(dir), "an existing safe directory is reused");
    }

    @Test
    void refusesASymbolicLinkEvenToAGoodDirectory() throws IOException
    {
        final Path target = RunDirectory.prepare(tmp.resolve("real"));
        final Path link = Files.createSymbolicLink(tmp.resolve("mpserver-2"), target);
        assertRefused(link, "is a symbolic link: refusing it");
    }

    @Test
    void refusesADirectoryThatGroupOrOthersMayWrite() throws IOException
    {
        final Path dir = RunDirectory.prepare(tmp.resolve("mpserver-3"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx---"));
        assertRefused(dir, "is writable by group or others (mode 0770)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(dir, "(mode 0777)");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals(dir, RunDirectory.prepare(dir), "0755, as older versions made it, only we can change");
    }

    @Test
    void refusesADirectoryOfAnotherUser() throws Exception
    {
        assumeTrue(Posix.process().geteuid() == 0, "needs root to give a directory away");
        final Path dir = RunDirectory.prepare(tmp.resolve("mpserver-4"));
        final Process chown = new ProcessBuilder("chown", "65534", dir.toString()).start();
        assertTrue(chown.waitFor(10, TimeUnit.SECONDS) && chown.exitValue() == 0, "chown");
        assertRefused(dir, "belongs to uid 65534, not to this user (uid 0)");
    }

    @Test
    void refusesAFileAndSaysWhyItCannotCreateOne() throws IOException
    {
        final Path file = Files.writeString(tmp.resolve("mpserver-5"), "x");
        assertRefused(file, "is not a directory");
        assertRefused(Path.of("/proc/mpserver-test-run-dir"), "cannot create run directory /proc/mpserver-test-run-dir: ");
    }

    @Test
    void pidFileRoundTripsAndIsReadAsUntrustedInput() throws IOException
    {
        final Path dir = RunDirectory.prepare(tmp.resolve("mpserver-6"));
        assertEquals(PidFile.NONE, PidFile.read(dir));
        PidFile.write(dir, 12345);
        assertEquals("12345\n", Files.readString(PidFile.in(dir)));
        assertEquals(12345, PidFile.read(dir));
        PidFile.remove(dir, 999);
        assertTrue(Files.exists(PidFile.in(dir)), "another pid's file is left alone");
        PidFile.remove(dir, 12345);
        assertFalse(Files.exists(PidFile.in(dir), LinkOption.NOFOLLOW_LINKS));

        for (final String garbage : List.of("", "abc", "12 34", "-1", "0", "99999999", "1".repeat(40), "4194305"))
        {
            Files.writeString(PidFile.in(dir), garbage, StandardCharsets.US_ASCII);
            final RunDirectoryException ex = assertThrows(RunDirectoryException.class, () -> PidFile.read(dir), garbage);
            assertTrue(ex.getMessage().startsWith("pid file " + PidFile.in(dir)), ex.getMessage());
        }
        Files.delete(PidFile.in(dir));
        Files.createSymbolicLink(PidFile.in(dir), Path.of("/etc/hostname"));
        assertThrows(RunDirectoryException.class, () -> PidFile.read(dir));
    }

    @Test
    void aPidFileNamesAServerOnlyWhileThatProcessRunsItsMainClass() throws Exception
    {
        final Process sleep = new ProcessBuilder("sleep", "30").start();
        try
        {
            assertTrue(PidFile.isServer(sleep.pid(), "30"));
            assertFalse(PidFile.isServer(sleep.pid(), "dev.mpserver.master.cli.MpServer"), "a reused pid is not our server");
        }
        finally
        {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertFalse(PidFile.isServer(sleep.pid(), "30"), "a pid that is gone");
    }

    private static void assertRefused(final Path dir, final String why)
    {
        final RunDirectoryException ex = assertThrows(RunDirectoryException.class, () -> RunDirectory.prepare(dir));
        assertTrue(ex.getMessage().contains(why), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
    }
}
