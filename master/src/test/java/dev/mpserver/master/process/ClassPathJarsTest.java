package dev.mpserver.master.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files in a temporary lib/: what a package upgrade or a build does to them, and what it does not. */
class ClassPathJarsTest
{
    @TempDir
    Path lib;

    @Test
    void aJarReplacedTouchedOrGoneIsAChangeAndClassDirectoriesAreNotWatched() throws Exception
    {
        final Path a = Files.write(lib.resolve("a.jar"), new byte[] {1, 2, 3});
        final Path b = Files.write(lib.resolve("b.jar"), new byte[] {4, 5});
        final Path classes = Files.createDirectory(lib.resolve("classes"));
        final FileTime packaged = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(a, packaged);
        final ClassPathJars jars = ClassPathJars.of(String.join(File.pathSeparator, a.toString(), classes.toString(), b.toString()));
        assertEquals(2, jars.count());
        assertNull(jars.change(), "as found");

        Files.write(classes.resolve("Any.class"), new byte[] {9});
        assertNull(jars.change(), "a class directory is not watched");

        Files.write(a, new byte[] {1, 2, 3, 4}); // a new build: other bytes, another time
        assertTrue(jars.change().startsWith(a + " was replaced (size 3 -> 4 bytes"), jars.change());

        Files.write(a, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(a, packaged); // a reinstall of the same package: its bytes and its packaged time
        assertNull(jars.change());

        Files.setLastModifiedTime(b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() + 60_000));
        assertTrue(jars.change().startsWith(b + " was replaced"), "touched counts too: " + jars.change());

        Files.delete(b);
        assertEquals(b + " is gone", jars.change());
    }
}
