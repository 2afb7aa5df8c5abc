package dev.mpserver.loadgen.it;

import dev.mpserver.loadgen.rtmp.RtmpConfig;
import dev.mpserver.loadgen.rtmp.RtmpCounters;
import dev.mpserver.loadgen.rtmp.RtmpProbe;
import dev.mpserver.loadgen.rtmp.RtmpReport;
import dev.mpserver.loadgen.rtmp.RtmpRun;
import dev.mpserver.loadgen.rtmp.RtmpSummaryTable;
import dev.mpserver.loadgen.rtmp.StreamResult;
import dev.mpserver.loadgen.rtmp.WorkerRoute;
import dev.mpserver.testkit.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * loadgen rtmp against the real mpserver, as the RTMP contract (notes/rtmp-contract.md) says it
 * behaves: every player of a stream is served by its publisher's worker (workerPid in Publish.Start
 * and Play.Start) and gets every frame from its first keyframe on, at 2 and 4 workers. Skipped, with
 * the probe's answer, while mpserver does not answer an RTMP handshake (its RTMP session is issue 14).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RtmpAgainstMpServerTest
{
    @Test
    void everyPlayerIsServedByItsPublishersWorkerOnTwoWorkers() throws Exception
    {
        servedByThePublishersWorker(2);
    }

    @Test
    void everyPlayerIsServedByItsPublishersWorkerOnFourWorkers() throws Exception
    {
        servedByThePublishersWorker(4);
    }

    private static void servedByThePublishersWorker(final int workers) throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", Integer.toString(workers)))
        {
            final String why = RtmpProbe.whyNotRtmp(new InetSocketAddress("127.0.0.1", server.port()), 3000);
            Assumptions.assumeTrue(why == null, () -> "skipping: mpserver does not speak RTMP yet (issue 14): " + why);

            final RtmpReport r = new RtmpRun(RtmpConfig.builder(server.port()).streams(8).players(25).vhosts(8)
                .duration(8, TimeUnit.SECONDS).rate(200).verify(true).build()).call();
            System.out.println(RtmpSummaryTable.render(r));

            assertEquals(8, r.publishersLive());
            assertEquals(200, r.playersServed(), "every player served");
            assertEquals(0, r.framesLost(), "every frame from each player's first keyframe on");
            assertEquals(0, r.total(RtmpCounters.FOREIGN_FRAMES));
            assertTrue(r.serverNamesWorkers(), "mpserver names the worker in Publish.Start and Play.Start");
            final List<Long> pids = server.workerPids();
            for (final StreamResult s : r.streams())
            {
                assertNotEquals(0, s.publisherPid(), s.name());
                assertTrue(pids.contains((long)s.publisherPid()), s.name() + " on pid " + s.publisherPid() + ", workers " + pids);
                assertTrue(s.otherWorker().isEmpty(), s.name() + ": players on another worker " + s.otherWorker());
            }
            for (final WorkerRoute w : r.workers())
            {
                assertTrue(pids.contains((long)w.pid()), "routing table names a worker of this server: " + w);
            }
            // The publishers arrive before their players, so client counts cannot spread their vhosts;
            // the shard table's bound on shards with clients does (all eight went to one worker before).
            final long publishingWorkers = r.streams().stream().mapToLong(StreamResult::publisherPid).distinct().count();
            assertEquals(workers, publishingWorkers, "the vhosts are spread over every worker: " + r.workers());
            assertTrue(r.verified());
            assertEquals(0, r.exitCode());
        }
    }
}
