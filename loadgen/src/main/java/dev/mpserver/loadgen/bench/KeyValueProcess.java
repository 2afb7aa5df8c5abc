package dev.mpserver.loadgen.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the bench's native programs ({@code scripts/reference/}) to its end and parses the
 * {@code key=value} lines it prints; a program that fails, or outlives its time, is an error that
 * names it and carries its stderr. A program still running is killed by its pid.
 */
final class KeyValueProcess
{
    private KeyValueProcess()
    {
    }

    static Map<String, String> run(final String what, final List<String> command, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final Path errors = Files.createTempFile("mpserver-bench-native-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(errors.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
            final byte[] output;
            try
            {
                output = process.getInputStream().readAllBytes(); // ends when the program exits
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
                {
                    throw new IOException(what + " did not exit in time");
                }
            }
            finally
            {
                if (process.isAlive())
                {
                    process.destroyForcibly();
                }
            }
            if (process.exitValue() != 0)
            {
                throw new IOException(what + " exited with " + process.exitValue() + ": "
                    + Files.readString(errors, StandardCharsets.UTF_8).trim());
            }
            return parse(new String(output, StandardCharsets.US_ASCII));
        }
        finally
        {
            Files.deleteIfExists(errors);
        }
    }

    static Map<String, String> parse(final String output)
    {
        final Map<String, String> values = new HashMap<>();
        for (final String line : output.split("\n"))
        {
            final int equals = line.indexOf('=');
            if (equals > 0)
            {
                values.put(line.substring(0, equals), line.substring(equals + 1).trim());
            }
        }
        return values;
    }
}
