package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removing a directory the bench made (a work directory, a run directory, nginx's prefix), with all below it. */
final class DirectoryTree
{
    private DirectoryTree()
    {
    }

    /** Removes {@code dir} and everything below it; symbolic links are removed, not followed. */
    static void delete(final Path dir) throws IOException
    {
        Files.walkFileTree(dir, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path d, final IOException ex) throws IOException
            {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** {@link #delete}, saying on stderr what could not be removed instead of throwing: a clean-up after the work is done. */
    static void deleteOrSay(final Path dir, final String who)
    {
        try
        {
            delete(dir);
        }
        catch (final IOException ex)
        {
            System.err.println(who + ": could not remove " + dir + ": " + ex.getMessage());
        }
    }
}
