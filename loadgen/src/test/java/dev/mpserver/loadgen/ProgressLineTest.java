package dev.mpserver.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.testserver.ProtocolTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live progress line (rewritten in place with '\r') only when stderr is a terminal: a loadgen
 * run under {@code script}, which gives it a pseudo-terminal, with stderr on that terminal or
 * redirected to a file while stdin and stdout stay on it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProgressLineTest
{
    @TempDir
    Path dir;

    @Test
    void rewritesTheLineOnATerminalAndPrintsPlainLinesToAFile() throws Exception
    {
        assumeTrue(new File("/usr/bin/script").canExecute(), "no script(1) to give loadgen a terminal");
        try (ProtocolTestServer server = new ProtocolTestServer())
        {
            final String loadgen = String.join(" ", List.of(
                System.getProperty("java.home") + "/bin/java", "-cp", "'" + System.getProperty("java.class.path") + "'",
                LoadGen.class.getName(), "--port", Integer.toString(server.port()), "--conns", "25", "--rate", "10", "--msgs", "1",
                "--progress", "auto"));

            final Path stderr = dir.resolve("stderr");
            final Result toFile = underTerminal(loadgen + " 2>" + stderr);
            assertEquals(0, toFile.exit, toFile.output);
            final String lines = Files.readString(stderr);
            assertTrue(lines.contains("conns 25/25"), "plain progress lines: " + lines);
            assertFalse(lines.contains("\r"), "no rewriting into a file, though stdin and stdout are a terminal: " + lines);

            final Result onTerminal = underTerminal(loadgen);
            assertEquals(0, onTerminal.exit, onTerminal.output);
            assertTrue(onTerminal.output.contains("\r[") && onTerminal.output.contains("conns 25/25"),
                "the line rewritten in place on the terminal: " + onTerminal.output);
        }
    }

    private Result underTerminal(final String command) throws Exception
    {
        final Path output = dir.resolve("terminal");
        final Process script = new ProcessBuilder("script", "-qec", command, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertTrue(script.waitFor(60, TimeUnit.SECONDS), "loadgen under script finished");
        return new Result(script.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private record Result(int exit, String output)
    {
    }
}
