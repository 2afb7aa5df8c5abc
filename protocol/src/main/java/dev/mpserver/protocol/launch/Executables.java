package dev.mpserver.protocol.launch;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a program that mpserver's tools and tests start is: ffmpeg, haproxy, nginx, ip, openssl.
 * The directories of {@code PATH}, then the system's sbin directories, where Debian puts
 * {@code ip} and {@code haproxy} and which a user's {@code PATH} often lacks.
 */
public final class Executables
{
    private static final String DEFAULT_PATH = "/usr/bin:/bin";
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin");

    private Executables()
    {
    }

    /** @return the program's path, or null if no directory has an executable of that name */
    public static Path find(final String program)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", DEFAULT_PATH).split(File.pathSeparator))
        {
            final Path candidate = executable(directory, program);
            if (null != candidate)
            {
                return candidate;
            }
        }
        for (final String directory : SYSTEM_DIRECTORIES)
        {
            final Path candidate = executable(directory, program);
            if (null != candidate)
            {
                return candidate;
            }
        }
        return null;
    }

    public static boolean isInstalled(final String program)
    {
        return null != find(program);
    }

    private static Path executable(final String directory, final String program)
    {
        if (directory.isEmpty())
        {
            return null;
        }
        final Path candidate = Path.of(directory, program);
        return Files.isExecutable(candidate) && !Files.isDirectory(candidate) ? candidate : null;
    }
}
