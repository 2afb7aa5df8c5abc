package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.report.StopReason;
import dev.mpserver.loadgen.testserver.RtmpTestServer;
import dev.mpserver.loadgen.testserver.RtmpTestServer.Behaviour;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.mpserver.loadgen.rtmp.RtmpCounters.PLAYER;
import static dev.mpserver.loadgen.rtmp.RtmpCounters.PUBLISHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever an RTMP server does wrong to its players shows in the right stream, player and figure. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtmpMisbehavingServerTest
{
    private static final int PLAYERS = 3;
    /** Stream k gets behaviour k. */
    private static final List<Behaviour> BY_STREAM = List.of(Behaviour.NONE, Behaviour.DROP, Behaviour.REORDER,
        Behaviour.STALL, Behaviour.GARBAGE, Behaviour.RESET, Behaviour.CLOSE, Behaviour.NO_MEDIA, Behaviour.REJECT_PLAY,
        Behaviour.OTHER_WORKER);

    private static Behaviour behaviourOf(final String streamName)
    {
        return BY_STREAM.get(Integer.parseInt(streamName.substring("stream".length())));
    }

    @Test
    void everyMisbehaviourIsReportedForItsStreamAndPlayers() throws Exception
    {
        try (RtmpTestServer server = new RtmpTestServer(RtmpMisbehavingServerTest::behaviourOf, true))
        {
            final RtmpReport r = new RtmpRun(RtmpConfig.builder(server.port()).streams(BY_STREAM.size()).players(PLAYERS)
                .duration(5, TimeUnit.SECONDS).timeout(2500, TimeUnit.MILLISECONDS).verify(true).build()).call();
            System.out.println(RtmpSummaryTable.render(r));

            assertNull(r.engineError());
            assertEquals(StopReason.DURATION, r.stopReason());
            assertEquals(BY_STREAM.size(), r.publishersLive(), "every publisher is live: the server only hurts players");
            assertEquals(0, r.failures(PUBLISHER, RtmpFailure.TIMEOUT));
            final List<StreamResult> s = r.streams();

            assertTrue(s.get(0).verified(), "NONE: " + s.get(0));
            assertEquals(PLAYERS, s.get(0).served());

            final StreamResult drop = s.get(1);
            assertEquals(PLAYERS, drop.served());
            assertEquals(PLAYERS, drop.lossy().size(), "every player of the DROP stream lost frames");
            assertEquals((long)PLAYERS * RtmpTestServer.DROPPED.size(), drop.framesLost(), "exactly the dropped frames");
            for (final int p : drop.lossy())
            {
                assertEquals(2, r.playerRecords().gaps[p], "30-31 and 45: two gaps");
            }

            final StreamResult reorder = s.get(2);
            assertEquals(0, reorder.framesLost(), "a frame that comes late is not lost");
            assertTrue(reorder.verified(), reorder.toString());
            for (int p = 2; p < r.playerRecords().size(); p += BY_STREAM.size())
            {
                assertEquals(1, r.playerRecords().reordered[p], "player " + p);
            }
            assertEquals(PLAYERS, r.total(RtmpCounters.REORDERED));

            assertTrue(s.get(3).verified(), "a stall loses nothing: " + s.get(3));
            assertTrue(r.latency(RtmpLatency.RELAY).maxNanos() >= TimeUnit.MILLISECONDS.toNanos(RtmpTestServer.STALL_MILLIS - 100),
                "the stall shows in relay latency from the intended send time: max "
                    + r.latency(RtmpLatency.RELAY).maxNanos() / 1e6 + " ms");

            assertEquals(PLAYERS, r.failures(PLAYER, RtmpPhase.STREAMING, RtmpFailure.GARBAGE), "GARBAGE");
            assertEquals(s.get(4).failed().size(), PLAYERS);
            assertEquals(PLAYERS, r.failures(PLAYER, RtmpPhase.STREAMING, RtmpFailure.RESET), "RESET");
            assertEquals(PLAYERS, r.failures(PLAYER, RtmpPhase.STREAMING, RtmpFailure.CLOSED), "CLOSE");

            final StreamResult nothing = s.get(7);
            assertEquals(PLAYERS, nothing.gotNothing().size(), "NO_MEDIA: " + nothing);
            assertEquals(PLAYERS, r.failures(PLAYER, RtmpPhase.FIRST_FRAME, RtmpFailure.TIMEOUT));
            assertEquals(PLAYERS, nothing.playing(), "they got Play.Start, then nothing");

            assertEquals(PLAYERS, r.failures(PLAYER, RtmpPhase.START, RtmpFailure.REJECTED), "REJECT_PLAY");

            final StreamResult other = s.get(9);
            assertEquals(PLAYERS, other.served());
            assertEquals(PLAYERS, other.otherWorker().size(), "served, but by another worker than the publisher's");
            assertFalse(other.verified());

            assertEquals(0, r.total(RtmpCounters.FOREIGN_FRAMES), "no stream got another's frames");
            assertFalse(r.verified());
            assertEquals(RtmpReport.EXIT_VERIFY_FAILED, r.exitCode());
            assertTrue(r.serverNamesWorkers());
            assertEquals(2, r.workers().size(), "routing table: the publishers' pid and the other one");
        }
    }

    @Test
    void aServerThatDoesNotSpeakRtmpFailsEveryClientInTheHandshake() throws Exception
    {
        try (RtmpTestServer server = new RtmpTestServer(name -> Behaviour.NONE, true).garbageHandshake())
        {
            assertTrue(RtmpProbe.whyNotRtmp(new java.net.InetSocketAddress("127.0.0.1", server.port()), 2000)
                .contains("not S0"), "the probe says why");
            final RtmpReport r = new RtmpRun(RtmpConfig.builder(server.port()).streams(2).players(4)
                .duration(3, TimeUnit.SECONDS).timeout(1, TimeUnit.SECONDS).build()).call();
            assertEquals(2, r.failures(PUBLISHER, RtmpPhase.HANDSHAKE, RtmpFailure.GARBAGE));
            assertEquals(8, r.failures(PLAYER, RtmpPhase.HANDSHAKE, RtmpFailure.GARBAGE),
                "players start once every publisher has failed, and fail the same way");
            assertEquals(StopReason.COMPLETED, r.stopReason(), "nothing left to do: the run ends early");
        }
    }
}
