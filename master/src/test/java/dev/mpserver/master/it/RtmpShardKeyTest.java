package dev.mpserver.master.it;

import static dev.mpserver.master.it.RtmpServers.publisher;
import static dev.mpserver.master.it.RtmpServers.startedPid;
import static dev.mpserver.master.it.RtmpServers.total;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.testkit.RtmpTestClient;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Test;

/** The shard key: --shard-by stream spreads one vhost's streams; ?vhost= in a stream name moves a session a second time. */
class RtmpShardKeyTest
{
    @Test
    void byStreamTheStreamsOfOneVhostSpreadAndEachMeetsItsPlayers() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-by", "stream"))
        {
            final List<RtmpTestClient> clients = new ArrayList<>();
            final Set<Integer> workersUsed = new HashSet<>();
            try
            {
                for (int s = 0; s < 6; s++)
                {
                    final RtmpTestClient publisher = publisher(server, "one.test", "s" + s);
                    clients.add(publisher);
                    final int pid = startedPid(publisher);
                    workersUsed.add(pid);
                    for (int p = 0; p < 2; p++)
                    {
                        final RtmpTestClient player = RtmpTestClient.open(server.port());
                        clients.add(player);
                        player.connect("live", "rtmp://one.test/live");
                        assertEquals(StatusCode.PLAY_START, player.play("s" + s).infoString("code"));
                        assertEquals(pid, startedPid(player), "s" + s + "'s player is served by its publisher's worker");
                        assertEquals(0, player.await(0, RtmpTestClient.Message::isVideoKeyFrame).frameNumber());
                    }
                }
                assertEquals(2, workersUsed.size(), "one vhost's streams spread over both workers: " + workersUsed);
                assertTrue(total(server, WorkerCounter.RTMP_STATE_HANDOFFS) > 0, "clients answered before publish/play moved with their state");
            }
            finally
            {
                for (final RtmpTestClient client : clients)
                {
                    client.close();
                }
            }
        }
    }

    /**
     * By vhost, a session is routed at connect by its tcUrl's host, then again at publish or play
     * when the stream name says {@code ?vhost=}: both moves carry its state. 127.0.0.1 and localhost
     * are two vhosts, so a publisher and its players meet only through the vhost in the name.
     */
    @Test
    void aVhostInTheStreamNameMovesTheSessionToThatVhostsWorker() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final List<RtmpTestClient> clients = new ArrayList<>();
            try
            {
                // Pin the host vhosts to workers with clients of their own, so that moves are likely.
                for (final String host : new String[] {"127.0.0.1", "localhost", "other.test"})
                {
                    clients.add(publisher(server, host, "pin"));
                }
                final RtmpTestClient publisher = publisher(server, "127.0.0.1", "s1?vhost=Named.Test&token=x");
                clients.add(publisher);
                final int pid = startedPid(publisher);
                for (final String host : new String[] {"localhost", "other.test", "127.0.0.1"})
                {
                    final RtmpTestClient player = RtmpTestClient.open(server.port());
                    clients.add(player);
                    player.connect("live", "rtmp://" + host + "/live");
                    assertEquals(StatusCode.PLAY_START, player.play("s1?vhost=named.test").infoString("code"));
                    assertEquals(pid, startedPid(player), "a player connected to " + host + " meets the publisher on named.test");
                    assertEquals(0, player.await(0, RtmpTestClient.Message::isVideoKeyFrame).frameNumber());
                }
                final RtmpTestClient elsewhere = RtmpTestClient.open(server.port());
                clients.add(elsewhere);
                elsewhere.connect("live", "rtmp://localhost/live");
                elsewhere.play("s1");
                elsewhere.drain(500);
                assertTrue(elsewhere.received().stream().noneMatch(RtmpTestClient.Message::isMedia),
                    "localhost/live/s1 is another stream than named.test/live/s1");
            }
            finally
            {
                for (final RtmpTestClient client : clients)
                {
                    client.close();
                }
            }
        }
    }
}
