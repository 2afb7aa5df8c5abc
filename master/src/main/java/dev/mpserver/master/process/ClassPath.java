package dev.mpserver.master.process;

import java.io.File;
import java.nio.file.Path;

/**
 * The JVM's class path as workers get it, and where the installation's {@code lib/} is: the
 * directory of the master's jar ({@code mpserver-master.jar} as {@code mvn package} names it in
 * {@code master/target/lib}, {@code mpserver-master-<version>.jar} in the distribution). That
 * directory holds jffi's unpacked stubs ({@code jni/}) and the workers' class-data archive.
 */
final class ClassPath
{
    private static final String MASTER_JAR = "mpserver-master";
    private static final String JAR = ".jar";

    private ClassPath()
    {
    }

    /** The class path with every entry absolute: workers must not depend on the master's working directory, nor CDS on spelling. */
    static String absolute(final String classPath)
    {
        final StringBuilder absolute = new StringBuilder(classPath.length() * 2);
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                absolute.append(absolute.length() > 0 ? File.pathSeparator : "").append(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return absolute.toString();
    }

    /** The directory holding the master's jar on {@code classPath}, or null (classes directories: tests, an IDE). */
    static Path libDirectory(final String classPath)
    {
        for (final String entry : classPath.split(File.pathSeparator))
        {
            final String name = String.valueOf(Path.of(entry).getFileName());
            if (name.equals(MASTER_JAR + JAR) || name.startsWith(MASTER_JAR + "-") && name.endsWith(JAR) && !name.endsWith("-tests" + JAR))
            {
                return Path.of(entry).toAbsolutePath().normalize().getParent();
            }
        }
        return null;
    }

    /** True if every entry of {@code classPath} is a file right in {@code lib}: the JVM runs an installation, as its launcher starts it. */
    static boolean allIn(final String classPath, final Path lib)
    {
        for (final String entry : absolute(classPath).split(File.pathSeparator))
        {
            if (!lib.equals(Path.of(entry).getParent()))
            {
                return false;
            }
        }
        return true;
    }
}
