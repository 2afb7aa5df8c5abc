package dev.mpserver.master.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.master.Master;
import dev.mpserver.master.cli.MpServer;
import org.junit.jupiter.api.Test;

/** A worker that exits with status 2 (fatal configuration) is not respawned; when none is left, the master stops with 2. */
class FatalWorkerExitTest
{
    private static final long EXIT_TIMEOUT_SECONDS = 60;

    @Test
    void workersExitingWithStatusTwoAreNotRespawnedAndTheMasterStopsWithTwo() throws Exception
    {
        final Path dir = Files.createTempDirectory(Path.of("target"), "mpserver-it-");
        final Path log = dir.resolve("server.log");
        final Process master = new ProcessBuilder(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), MpServer.class.getName(),
            "--host", "127.0.0.1", "--port", "0", "--run-dir", dir.toAbsolutePath().toString(),
            "--workers", "2", "--worker-class", FatalConfigWorker.class.getName()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        try
        {
            assertTrue(master.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the master did not stop: " + Files.readString(log));
            final String text = Files.readString(log);
            assertEquals(Master.EXIT_FATAL, master.exitValue(), text);
            assertEquals(2, count(text, "spawned worker"), "spawned once per slot, never again: " + text);
            assertEquals(2, count(text, "exited with status 2 (fatal configuration error): not respawning"), text);
            assertEquals(1, count(text, "every worker exited with a fatal configuration error; the master stops"), text);
        }
        finally
        {
            master.destroyForcibly(); // by pid, if it is still there
            master.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    private static int count(final String text, final String what)
    {
        int count = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length()))
        {
            count++;
        }
        return count;
    }
}
