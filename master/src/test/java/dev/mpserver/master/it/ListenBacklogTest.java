package dev.mpserver.master.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Test;

class ListenBacklogTest
{
    @Test
    void listenerBacklogIsTheDefault4096CappedBySomaxconnNotAFragmentOfIt() throws Exception
    {
        final int somaxconn;
        try (BufferedReader r = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of("/proc/sys/net/core/somaxconn")))
        {
            somaxconn = Integer.parseInt(r.readLine().trim());
        }
        try (ServerProcess server = ServerProcess.start("--workers", "0"))
        {
            final Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + server.port()).start();
            final String line;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(ss.getInputStream(), StandardCharsets.US_ASCII)))
            {
                line = out.readLine();
            }
            ss.waitFor();
            // LISTEN <recv-q> <send-q = backlog> <local> <peer>
            assertEquals(Math.min(4096, somaxconn), Integer.parseInt(line.trim().split("\\s+")[2]), line);
        }
    }
}
