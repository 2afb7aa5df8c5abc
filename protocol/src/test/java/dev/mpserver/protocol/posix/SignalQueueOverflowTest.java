package dev.mpserver.protocol.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignalQueueOverflowTest
{
    @Test
    void floodingHundredChannelsUnderLowSigpendingRaisesPlainSigioAndRescanFindsEveryMessage(@TempDir final Path dir)
        throws Exception
    {
        final Path result = dir.resolve("result");
        try (ChildJvm child = ChildJvm.start(
            OverflowChild.class, new int[0], SigSet.of(Signals.SIGIO, Signals.SIGCHANNEL), result.toString(), "100", "8"))
        {
            assertEquals(0, child.awaitExit(60, TimeUnit.SECONDS));
        }
        final Map<String, Integer> seen = new HashMap<>();
        for (final String field : Files.readString(result).split(" "))
        {
            final String[] kv = field.split("=");
            seen.put(kv[0], Integer.parseInt(kv[1]));
        }
        assertTrue(seen.get("rt") <= 8, "at most RLIMIT_SIGPENDING RT signals queued: " + seen);
        assertTrue(seen.get("sigio") >= 1, "overflow reported as plain SIGIO: " + seen);
        assertEquals(Signals.SI_KERNEL, seen.get("sigioCode"), "overflow SIGIO comes from the kernel: " + seen);
        assertEquals(100, seen.get("found"), "a rescan of all channels finds every message: " + seen);
    }
}
