package dev.mpserver.loadgen.multihost;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command that runs to completion ({@code ip ...}, {@code haproxy -c ...}): bounded in time, its output kept. */
final class ShortCommand
{
    private static final long TIMEOUT_SECONDS = 60;

    private ShortCommand()
    {
    }

    /** @return what the command printed on stdout; throws with its stderr too if it failed. */
    static String run(final List<String> command) throws IOException
    {
        final File errors = File.createTempFile("mpserver-command-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(errors)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            final byte[] output = process.getInputStream().readAllBytes();
            try
            {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    throw new IOException(String.join(" ", command) + ": still running after " + TIMEOUT_SECONDS + " s");
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException(String.join(" ", command) + ": interrupted", ex);
            }
            final String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0)
            {
                throw new IOException(String.join(" ", command) + ": exit status " + process.exitValue() + ": "
                    + (text + Files.readString(errors.toPath())).strip());
            }
            return text;
        }
        finally
        {
            Files.deleteIfExists(errors.toPath());
        }
    }

    /** As {@link #run}, but false instead of an exception when it fails. */
    static boolean succeeds(final List<String> command)
    {
        try
        {
            run(command);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
