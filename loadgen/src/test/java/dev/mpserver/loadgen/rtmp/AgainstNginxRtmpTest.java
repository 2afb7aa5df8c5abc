package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.bench.NginxRtmp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * loadgen rtmp against a real nginx-rtmp (Debian nginx-light + libnginx-mod-rtmp), started by the
 * test with its own nginx.conf on 127.0.0.1 and a free port and stopped by pid. With one worker
 * every player is served; with two, a player that nginx's other worker accepted gets nothing, and
 * the report must name exactly those players: the test reads from /proc which worker holds each
 * player's connection and compares.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class AgainstNginxRtmpTest
{
    @BeforeAll
    static void nginxInstalled()
    {
        final String why = NginxRtmp.whyUnavailable();
        Assumptions.assumeTrue(why == null, () -> "skipping the nginx-rtmp tests: " + why);
    }

    @Test
    void oneWorkerServesEveryPlayerEveryFrame() throws Exception
    {
        final Path dir;
        try (NginxRtmp nginx = NginxRtmp.start(1))
        {
            dir = nginx.dir();
            final RtmpReport r = new RtmpRun(RtmpConfig.builder(nginx.port()).streams(3).players(10)
                .duration(5, TimeUnit.SECONDS).verify(true).build()).call();
            System.out.println(RtmpSummaryTable.render(r));
            assertEquals(3, r.publishersLive());
            assertEquals(30, r.playersServed(), nginx.log());
            assertEquals(0, r.framesLost(), "every frame from each player's first keyframe on");
            assertEquals(0, r.total(RtmpCounters.FOREIGN_FRAMES));
            assertFalse(r.serverNamesWorkers(), "nginx-rtmp names no worker: verified by media only");
            assertTrue(r.verified());
            assertEquals(0, r.exitCode());
            assertTrue(r.latency(RtmpLatency.RELAY).count() > 0);
        }
        assertFalse(Files.exists(dir), "its temp directory goes with it: " + dir);
    }

    @Test
    void twoWorkersReportExactlyThePlayersTheOtherWorkerAccepted() throws Exception
    {
        try (NginxRtmp nginx = NginxRtmp.start(2))
        {
            final int streams = 4;
            final int players = 10;
            // Players that get nothing must still be connected when /proc is read: --timeout beyond the run.
            final RtmpRun run = new RtmpRun(RtmpConfig.builder(nginx.port()).streams(streams).players(players)
                .duration(6, TimeUnit.SECONDS).timeout(60, TimeUnit.SECONDS).verify(true).build());
            final AtomicReference<Map<Integer, Long>> owners = new AtomicReference<>();
            run.onProgress(sample ->
            {
                if (owners.get() == null && sample.playing() == (long)streams * players)
                {
                    try
                    {
                        owners.set(SocketOwners.byClientPort(nginx.port(), nginx.workerPids()));
                    }
                    catch (final java.io.IOException e)
                    {
                        throw new IllegalStateException(e);
                    }
                }
            });
            final RtmpReport r = run.call();
            System.out.println(RtmpSummaryTable.render(r));
            assertNotNull(owners.get(), "every player was playing at some second of the run");

            final ClientRecords pub = r.publisherRecords();
            final ClientRecords play = r.playerRecords();
            final Map<Integer, Long> publisherWorker = new HashMap<>();
            for (int s = 0; s < streams; s++)
            {
                publisherWorker.put(s, owners.get().get(pub.localPort[s]));
                assertNotNull(publisherWorker.get(s), "publisher " + s + " is held by a worker");
            }
            final Set<Integer> expected = new TreeSet<>();
            for (int p = 0; p < play.size(); p++)
            {
                final Long worker = owners.get().get(play.localPort[p]);
                assertNotNull(worker, "player " + p + " is held by a worker");
                if (!worker.equals(publisherWorker.get(r.config().streamOfPlayer(p))))
                {
                    expected.add(p);
                }
            }
            final Set<Integer> reported = new TreeSet<>();
            for (final StreamResult s : r.streams())
            {
                reported.addAll(s.gotNothing());
            }
            System.out.println("players on another worker than their publisher (from /proc): " + expected);
            assertEquals(expected, reported, "the report names exactly the players nginx's other worker accepted");
            assertEquals((long)streams * players - expected.size(), r.playersServed());
            assertEquals(0, r.framesLost(), "a player on its publisher's worker gets every frame");
            assertEquals(expected.isEmpty(), r.verified());
        }
    }
}
