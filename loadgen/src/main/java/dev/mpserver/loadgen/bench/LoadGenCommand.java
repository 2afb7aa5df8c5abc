package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * loadgen as users run it: {@code scripts/loadgen run ...}, a fresh JVM per run, its figures read
 * back from {@code --json}. Nothing of it is warm: its JIT starts from nothing, as on the command
 * line. Also measures the whole command's wall time (JVM start included).
 */
final class LoadGenCommand
{
    static final String NAME = "loadgen (fresh JVM)";
    private static final long EXIT_GRACE_SECONDS = 60;

    private final Path repo;
    private final Path workDir;

    LoadGenCommand(final Path repo, final Path workDir)
    {
        this.repo = repo;
        this.workDir = workDir;
    }

    /** The figures of one run, and its wall time (process start to exit) in {@code wallSeconds[0]}. */
    ClientResult run(final int port, final ClientLoad load, final double[] wallSeconds) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory(workDir, "loadgen-");
        final Path json = dir.resolve("report.json");
        final List<String> command = new ArrayList<>(List.of("bash", repo.resolve("scripts/loadgen").toString(), "run"));
        command.addAll(load.toLoadGenArguments(port));
        command.addAll(List.of("--json", json.toString(), "--progress", "off"));
        final long start = System.nanoTime();
        final Process process = new ProcessBuilder(command)
            .redirectOutput(dir.resolve("stdout.txt").toFile())
            .redirectError(dir.resolve("stderr.txt").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        try
        {
            if (!process.waitFor((long)ClientLoad.DURATION_SECONDS + EXIT_GRACE_SECONDS, TimeUnit.SECONDS))
            {
                throw new IOException("scripts/loadgen did not exit in time; see " + dir);
            }
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
            }
        }
        wallSeconds[0] = (System.nanoTime() - start) / 1e9;
        if (!Files.isRegularFile(json))
        {
            throw new IOException("scripts/loadgen exited with " + process.exitValue() + " and wrote no report; see " + dir);
        }
        return ClientResult.ofLoadGenJson(NAME, JsonTree.read(json));
    }
}
