package dev.mpserver.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.launch.MainClasses;

/** One {@code mpserver ...} command run as its own process to its end, with what it printed. */
public record CommandProcess(int exit, String out, String err)
{
    private static final long TIMEOUT_SECONDS = 60;

    public static CommandProcess run(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), MainClasses.MPSERVER));
        command.addAll(List.of(args));
        final Path out = Files.createTempFile("mpserver-cmd-", ".out");
        final Path err = Files.createTempFile("mpserver-cmd-", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                throw new AssertionError("mpserver " + String.join(" ", args) + " still running after " + TIMEOUT_SECONDS + " s");
            }
            return new CommandProcess(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Status 2 and exactly one line on stderr, naming the command, with no stack trace in it. */
    public boolean failedInOneLine(final String command)
    {
        final List<String> lines = err.strip().lines().toList();
        return exit == 2 && lines.size() == 1 && lines.get(0).startsWith(command + ": ") && !err.contains("\tat ") &&
            !err.contains("Exception");
    }

    @Override
    public String toString()
    {
        return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
    }
}
