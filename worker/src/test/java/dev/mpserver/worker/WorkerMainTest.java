package dev.mpserver.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.launch.MainClasses;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.launch.WorkerLaunch;
import org.junit.jupiter.api.Test;

/** A real worker process, started without the master: what it does with arguments it cannot use. */
class WorkerMainTest
{
    private static final long EXIT_TIMEOUT_SECONDS = 30;

    @Test
    void withoutItsChannelItExitsWithTheFatalConfigurationStatus() throws Exception
    {
        // Started by this test, fd 3 is not the channel (closed, or a file the JVM opened there):
        // what a mis-spawned worker would see.
        final Result result = runWorker(new WorkerConfig(1, 10, 1000, 1024, 1000, 500, null).toArguments());
        assertEquals(WorkerLaunch.EXIT_FATAL_CONFIG, result.exit);
        assertTrue(result.stderr.contains("channel fd 3 is not"), result.stderr);
    }

    @Test
    void anArgumentItDoesNotKnowIsAFatalConfigurationError() throws Exception
    {
        final List<String> args = new ArrayList<>(new WorkerConfig(1, 10, 1000, 1024, 1000, 500, null).toArguments());
        args.addAll(List.of("--max-clientz", "5"));
        final Result result = runWorker(args);
        assertEquals(WorkerLaunch.EXIT_FATAL_CONFIG, result.exit);
        assertTrue(result.stderr.contains("unknown argument --max-clientz"), result.stderr);
    }

    @Test
    void helpSaysWhoStartsItAndExitsZero() throws Exception
    {
        final Result result = runWorker(List.of("--help"));
        assertEquals(0, result.exit);
        assertTrue(result.stdout.contains("Started by the master"), result.stdout);
    }

    @Test
    void theMasterStartsTheseClassesByTheNamesItKnows()
    {
        assertEquals(WorkerMain.class.getName(), MainClasses.WORKER);
        assertEquals(CdsTraining.class.getName(), MainClasses.CDS_TRAINING);
    }

    private record Result(int exit, String stdout, String stderr)
    {
    }

    private static Result runWorker(final List<String> args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp", System.getProperty("java.class.path"), MainClasses.WORKER));
        command.addAll(args);
        final Process process = new ProcessBuilder(command).start();
        try
        {
            assertTrue(process.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS), "worker did not exit");
            return new Result(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
