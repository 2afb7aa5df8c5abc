package dev.mpserver.protocol.rtmp.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the tests find ffmpeg: the first executable {@code ffmpeg} on PATH (Debian's package; .ci/run installs it). */
public final class FfmpegPath
{
    /** Why a test that needs ffmpeg is skipped without it. */
    public static final String MISSING = "ffmpeg is not installed (Debian: apt-get install ffmpeg); skipping";

    private FfmpegPath()
    {
    }

    /** @return the path of ffmpeg, or null if it is not on PATH */
    public static String find()
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final Path candidate = Path.of(directory, "ffmpeg");
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }
}
