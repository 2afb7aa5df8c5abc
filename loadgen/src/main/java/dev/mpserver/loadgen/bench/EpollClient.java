package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The independent C client ({@code scripts/reference/epoll_client.c}, compiled by
 * {@link NativePeers}): one process per run, its key=value lines parsed into a {@link ClientResult}.
 * Its failures are the independent truth about lost clients: nothing in it is shared with loadgen.
 */
final class EpollClient implements BenchClient
{
    static final String NAME = "C";
    /** Beyond the load's own --duration: process start and the report. */
    private static final long EXIT_GRACE_SECONDS = 30;

    private final Path binary;

    EpollClient(final Path binary)
    {
        this.binary = binary;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ClientResult run(final int port, final ClientLoad load) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(load.toEpollClientArguments(port));
        final Path errors = Files.createTempFile("mpserver-bench-epoll-client-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command)
                .redirectError(errors.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            final byte[] output;
            try
            {
                output = process.getInputStream().readAllBytes(); // ends when the client exits
                if (!process.waitFor((long)ClientLoad.DURATION_SECONDS + EXIT_GRACE_SECONDS, TimeUnit.SECONDS))
                {
                    throw new IOException("the C client did not exit in time");
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
                throw new IOException("the C client exited with " + process.exitValue() + ": "
                    + Files.readString(errors, StandardCharsets.UTF_8).trim());
            }
            return ClientResult.ofKeyValues(NAME, parse(new String(output, StandardCharsets.US_ASCII)));
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
