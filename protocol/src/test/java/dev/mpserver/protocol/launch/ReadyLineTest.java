package dev.mpserver.protocol.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ReadyLineTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theLineTheServerPrintsIsTheLineItsStartersRead()
    {
        final ReadyLine line = new ReadyLine(8935, 5136, 2);
        assertEquals("mpserver ready port=8935 pid=5136 workers=2", line.toString());
        assertEquals(line, ReadyLine.find(line.toString()));
        assertEquals(line, ReadyLine.find("starting\n" + line + "\n"));
        assertNull(ReadyLine.find("mpserver: cannot listen on 127.0.0.1:8935"));
    }

    @Test
    void awaitSkipsWhatComesBeforeTheLine() throws Exception
    {
        final Process process = new ProcessBuilder("sh", "-c", "echo starting; echo 'mpserver ready port=1234 pid=42 workers=0'; exec sleep 30")
            .start();
        try
        {
            assertEquals(new ReadyLine(1234, 42, 0), ReadyLine.await(process, TIMEOUT));
        }
        finally
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatExitsOrStaysSilentIsAnError() throws Exception
    {
        final Process exits = new ProcessBuilder("sh", "-c", "echo 'mpserver: bad option' >&2; exit 2").start();
        final IOException exited = assertThrows(IOException.class, () -> ReadyLine.await(exits, TIMEOUT));
        assertTrue(exited.getMessage().contains("exited before its ready line"), exited.getMessage());
        exits.waitFor(10, TimeUnit.SECONDS);

        final Process silent = new ProcessBuilder("sleep", "30").start();
        try
        {
            final IOException timedOut = assertThrows(IOException.class, () -> ReadyLine.await(silent, Duration.ofMillis(200)));
            assertTrue(timedOut.getMessage().contains("no ready line within 200 ms"), timedOut.getMessage());
        }
        finally
        {
            silent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
