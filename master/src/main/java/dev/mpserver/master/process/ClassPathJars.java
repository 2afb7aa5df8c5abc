package dev.mpserver.master.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The jars on the workers' class path as the master found them when it started. A master and
 * its workers must be one build: the shard table, the channel's frames and the counters files
 * have versioned formats that are checked, not negotiated (a worker refuses a shard table of
 * another version). A reload or a respawn starts workers from the class path's files, so jars
 * replaced under a running server (a package upgrade, a rebuild) would put workers of a new build
 * under the old master. The master asks this before it starts a worker and refuses; an upgrade
 * takes a restart.
 *
 * <p>A jar counts as changed when its size or modification time differs, or it is gone. That is
 * what a package manager or a build does to a jar (a reinstall of the same package keeps the
 * packaged time); {@code touch} counts too. Class directories (tests, an IDE) are not looked at.
 */
final class ClassPathJars
{
    private static final String JAR = ".jar";

    private final Path[] jars;
    private final long[] sizes;
    private final long[] modifiedMillis;

    private ClassPathJars(final List<Path> jars)
    {
        this.jars = jars.toArray(new Path[0]);
        this.sizes = new long[this.jars.length];
        this.modifiedMillis = new long[this.jars.length];
        for (int i = 0; i < this.jars.length; i++)
        {
            final BasicFileAttributes attributes = attributes(this.jars[i]);
            sizes[i] = null == attributes ? -1 : attributes.size();
            modifiedMillis[i] = null == attributes ? -1 : attributes.lastModifiedTime().toMillis();
        }
    }

    /** The jars of {@code classPath} (entries ending in {@code .jar}, absolute: {@link ClassPath#absolute}) as they are now. */
    static ClassPathJars of(final String classPath)
    {
        final List<Path> jars = new ArrayList<>();
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (entry.endsWith(JAR))
            {
                jars.add(Path.of(entry));
            }
        }
        return new ClassPathJars(jars);
    }

    /** @return null if every jar is as it was, else what changed first, e.g. "lib/x.jar was replaced" */
    String change()
    {
        for (int i = 0; i < jars.length; i++)
        {
            final BasicFileAttributes now = attributes(jars[i]);
            if (null == now && sizes[i] >= 0)
            {
                return jars[i] + " is gone";
            }
            if (null != now && (now.size() != sizes[i] || now.lastModifiedTime().toMillis() != modifiedMillis[i]))
            {
                return jars[i] + " was replaced (size " + sizes[i] + " -> " + now.size() + " bytes, modified " +
                    now.lastModifiedTime() + ")";
            }
        }
        return null;
    }

    /** How many jars are watched. */
    int count()
    {
        return jars.length;
    }

    private static BasicFileAttributes attributes(final Path jar)
    {
        try
        {
            return Files.readAttributes(jar, BasicFileAttributes.class); // a packaged lib/ may link to shared jars: their files count
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
