package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The C epoll reference server ({@code scripts/reference/epoll_server.c}), compiled once per bench
 * run so that single-process mpserver is compared with C under the same loadgen, on the same cores,
 * in the same minutes — not with a number measured some other day with some other client. Optional:
 * a machine with only a JDK and Maven has no C compiler, and the bench then says so and goes on.
 */
final class ReferenceServer
{
    static final String SOURCE = "scripts/reference/epoll_server.c";

    private ReferenceServer()
    {
    }

    /**
     * @return the compiled binary, or {@code null} with {@code why[0]} saying why there is none
     */
    static Path compile(final Path repo, final String[] why) throws InterruptedException
    {
        final Path source = repo.resolve(SOURCE);
        if (!Files.isRegularFile(source))
        {
            why[0] = "no " + SOURCE;
            return null;
        }
        try
        {
            final Path binary = Files.createTempDirectory("mpserver-bench-cref-").resolve("epoll_server");
            final Process cc = new ProcessBuilder("cc", "-O2", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true)
                .redirectOutput(binary.resolveSibling("cc.log").toFile())
                .start();
            if (!cc.waitFor(60, TimeUnit.SECONDS))
            {
                cc.destroyForcibly();
                why[0] = "cc timed out";
                return null;
            }
            if (cc.exitValue() != 0)
            {
                why[0] = "cc failed, see " + binary.resolveSibling("cc.log");
                return null;
            }
            return binary;
        }
        catch (final IOException ex)
        {
            why[0] = "no C compiler (cc): " + ex.getMessage();
            return null;
        }
    }
}
