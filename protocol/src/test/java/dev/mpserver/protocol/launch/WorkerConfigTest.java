package dev.mpserver.protocol.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mpserver.protocol.rtmp.ShardBy;
import org.junit.jupiter.api.Test;

class WorkerConfigTest
{
    @Test
    void argumentsRoundTripEverySetting()
    {
        final WorkerConfig config = new WorkerConfig(7, 2500, 1234, 4096, 0, 777, Path.of("/tmp/run dir"));
        final Map<String, String> others = new HashMap<>();
        final WorkerConfig read = WorkerConfig.fromArguments(config.toArguments(), others);

        assertEquals(7, read.slot);
        assertEquals(2500, read.maxClients);
        assertEquals(1_234_000_000L, read.idleTimeoutNanos);
        assertEquals(4096, read.outputCapBytes);
        assertEquals(0, read.drainTimeoutNanos);
        assertEquals(777_000_000L, read.lingerTimeoutNanos);
        assertEquals(Path.of("/tmp/run dir"), read.runDir);
        assertTrue(others.isEmpty());
    }

    @Test
    void rtmpSettingsRoundTrip()
    {
        final WorkerConfig config = new WorkerConfig(1, 10, 10, 1024, 10, 10, null)
            .withRtmp(new RtmpSettings(ShardBy.STREAM, 0, 30, 5_000_000_000L));
        final RtmpSettings read = WorkerConfig.fromArguments(config.toArguments(), new HashMap<>()).rtmp;
        assertEquals(ShardBy.STREAM, read.shardBy);
        assertEquals(0, read.gopCacheBytes);
        assertEquals(30, read.gopCacheFrames);
        assertEquals(5_000_000_000L, read.gopCacheTotalBytes);
        assertFalse(read.isGopCacheOn(), "--gop-cache 0 turns it off");
    }

    @Test
    void warmUpAndAcceptWhenWarmRoundTripAndSurviveAnotherSlot()
    {
        final WorkerConfig plain = new WorkerConfig(1, 10, 10, 1024, 10, 10, null);
        final WorkerConfig read = WorkerConfig.fromArguments(plain.toArguments(), new HashMap<>());
        assertEquals(0, read.warmUpClients);
        assertFalse(read.acceptWhenWarm, "absent: accept at once");

        final WorkerConfig held = plain.withWarmUp(500).withAcceptWhenWarm(true).forSlot(3);
        final WorkerConfig heldRead = WorkerConfig.fromArguments(held.toArguments(), new HashMap<>());
        assertEquals(3, heldRead.slot);
        assertEquals(500, heldRead.warmUpClients);
        assertTrue(heldRead.acceptWhenWarm);
        assertFalse(held.withAcceptWhenWarm(false).acceptWhenWarm);
        assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromArguments(
            List.of("--slot", "1", "--max-clients", "1", "--idle-timeout-ms", "1", "--output-cap", "1024",
                "--drain-timeout-ms", "0", "--linger-timeout-ms", "1", "--shard-by", "vhost", "--gop-cache", "0",
                "--gop-cache-frames", "1", "--gop-cache-total", "0", "--accept-when-warm", "2"), new HashMap<>()));
    }

    @Test
    void aStandbyRoundTripsWithEverySettingBesideIt()
    {
        final WorkerConfig plain = new WorkerConfig(1, 10, 10, 1024, 10, 10, null);
        assertFalse(WorkerConfig.fromArguments(plain.toArguments(), new HashMap<>()).standby, "absent: not a standby");

        final WorkerConfig standby = plain.withStandby(true).withWarmUp(500).withAcceptWhenWarm(true).withIdleUntilWarm(true).forSlot(4);
        final WorkerConfig read = WorkerConfig.fromArguments(standby.toArguments(), new HashMap<>());
        assertTrue(read.standby);
        assertEquals(4, read.slot);
        assertEquals(500, read.warmUpClients);
        assertTrue(read.acceptWhenWarm);
        assertTrue(read.idleUntilWarm);
        assertFalse(standby.withStandby(false).standby);
        assertTrue(standby.withRtmp(RtmpSettings.DEFAULTS).standby, "every copy keeps it");
    }

    @Test
    void defaultMaxClientsFillsTheFdLimitWithItsHeadroom()
    {
        assertEquals(17_888, WorkerConfig.defaultMaxClients(20_000));
        assertEquals(20_000, WorkerConfig.fdsNeeded(WorkerConfig.defaultMaxClients(20_000)));
        final int small = WorkerConfig.defaultMaxClients(1024);
        assertTrue(WorkerConfig.fdsNeeded(small) <= 1024 && WorkerConfig.fdsNeeded(small + 1) > 1024, "small limit: " + small);
        assertEquals(1, WorkerConfig.defaultMaxClients(10));
    }

    @Test
    void noRunDirStaysNone()
    {
        final WorkerConfig config = new WorkerConfig(0, 1, 1, 1024, 5, 1, null);
        assertNull(WorkerConfig.fromArguments(config.toArguments(), new HashMap<>()).runDir);
    }

    @Test
    void namesItDoesNotKnowAreLeftToTheCaller()
    {
        final List<String> args = new ArrayList<>(new WorkerConfig(1, 10, 10, 1024, 10, 10, null).toArguments());
        args.addAll(List.of("--channel-fd", "9", "--listen-fd", "10"));
        final Map<String, String> others = new HashMap<>();
        WorkerConfig.fromArguments(args, others);
        assertEquals(Map.of("--channel-fd", "9", "--listen-fd", "10"), others);
    }

    @Test
    void badArgumentsAreRejectedByName()
    {
        final List<String> good = new WorkerConfig(1, 10, 10, 1024, 10, 10, null).toArguments();
        assertRejected(replace(good, "--max-clients", "0"), "--max-clients");
        assertRejected(replace(good, "--idle-timeout-ms", "ten"), "--idle-timeout-ms");
        assertRejected(replace(good, "--output-cap", "99"), "--output-cap");
        assertRejected(replace(good, "--shard-by", "host"), "is not one of vhost, app, stream");
        assertRejected(replace(good, "--gop-cache-frames", "0"), "--gop-cache-frames");
        assertRejected(good.subList(2, good.size()), "--slot is missing");
        assertRejected(good.subList(0, good.size() - 1), "has no value");

        final List<String> twice = new ArrayList<>(good);
        twice.addAll(List.of("--slot", "2"));
        assertRejected(twice, "--slot given twice");
    }

    private static void assertRejected(final List<String> args, final String expected)
    {
        final IllegalArgumentException ex =
            assertThrows(IllegalArgumentException.class, () -> WorkerConfig.fromArguments(args, new HashMap<>()));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    private static List<String> replace(final List<String> args, final String name, final String value)
    {
        final List<String> replaced = new ArrayList<>(args);
        replaced.set(replaced.indexOf(name) + 1, value);
        return replaced;
    }
}
