package dev.mpserver.master.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.Eventually;
import dev.mpserver.testkit.FdBaseline;
import dev.mpserver.testkit.JobControl;
import dev.mpserver.testkit.ProcFacts;
import dev.mpserver.testkit.ServerProcess;
import dev.mpserver.testkit.TestClient;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults injected into a real server: real processes, real signals, real rlimits, loopback only.
 * Each test holds the server to the same three promises: the master lives through it (where it
 * should), every healthy client is served, and nothing leaks — fd counts of the master and of
 * every worker back to their baseline, and no worker process left once the server is stopped.
 *
 * <p>Run alone with {@code mvn -B -o test -pl master -am -Dgroups=fault -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -am}: the worker and protocol classes come from this tree, not from whatever another
 * checkout last installed in ~/.m2).
 */
@Tag("fault")
class FaultSuiteTest
{
    private static final long RESTORE_MILLIS = 5_000;

    // ---------------------------------------------------------------- 1. SIGSTOP of a worker

    /**
     * A stopped worker reads nothing. The master's channel to it takes as many hand-offs as an
     * AF_UNIX socketpair holds before EAGAIN (between what it holds sent one per sendmsg and in
     * full batches, both measured here on a socketpair of our own), then exactly
     * {@code --handoff-queue} more wait in the master, and every further client of its shards is
     * told {@code E 3}. The other
     * worker and the master keep serving throughout; after SIGCONT every waiting client is served.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sigstoppedWorkerQueuesItsHandoffsUpToTheBoundShedsTheRestAndServesThemAfterSigcont() throws Exception
    {
        final int handoffQueue = 64;
        final int shed = 100;
        // --placement master: the shards stay on the stopped worker, and every client of them crosses the master.
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--handoff-queue", Integer.toString(handoffQueue),
            "--shard-ttl", "60s", "--max-clients", "10000", "--placement", "master"))
        {
            final Map<Integer, List<Integer>> shardsOf = shardsByWorker(server, 4);
            assertTrue(shardsOf.size() == 2 && shardsOf.values().stream().allMatch(s -> s.size() >= 4),
                "both workers own 4 shards: " + shardsOf);
            final List<Long> workers = server.workerPids();
            final long victim = workers.get(0);
            final long other = workers.get(1);
            final List<Integer> victimShards = shardsOf.get((int)victim);
            final List<Integer> otherShards = shardsOf.get((int)other);
            wave(server, 200, i -> (i % 2 == 0 ? victimShards : otherShards).get(i / 2 % 4));
            final FdBaseline baseline = FdBaseline.take(server);

            // How many wait in the stopped worker's socket depends on how the master batched them.
            final int socketHoldsAtLeast = handoffsASocketpairHolds(1);
            final int socketHoldsAtMost = handoffsASocketpairHolds(Channel.MAX_FRAMES_PER_SEND);
            final int victims = socketHoldsAtMost + handoffQueue + shed;
            final List<TestClient> victimClients = new ArrayList<>();
            final List<TestClient> waitingClients = new ArrayList<>();
            int servedMeanwhile = 0;
            JobControl.stop(victim);
            try
            {
                for (int i = 0; i < victims; i++)
                {
                    victimClients.add(new TestClient(server.port()).send(
                        TestClient.control(victimShards.get(i % victimShards.size())), TestClient.PING));
                    if (i % 10 == 0)
                    {
                        // Nothing else stalls: a client of the other worker, through the master, answered at once.
                        try (TestClient client = new TestClient(server.port(), 2_000))
                        {
                            client.join(otherShards.get(i % otherShards.size()));
                            servedMeanwhile++;
                        }
                    }
                }
                assertTrue(eventually(10_000, () -> answered(victimClients) >= shed),
                    "clients beyond the bound are answered; answered " + answered(victimClients) + " of " + victims);
                // How many more are refused depends on how the master batched what the socket holds (see above),
                // so there is no count to wait for: wait until the answers stop coming.
                Eventually.settled("the answered clients", 300, 10_000, () -> answered(victimClients));
                for (final TestClient client : victimClients)
                {
                    if (hasBytes(client))
                    {
                        assertEquals(ErrorCode.SHARD_BUSY.code(), client.expectError(), "shed with 'E' 3");
                        assertTrue(client.isClosedByServer(), "and closed");
                    }
                    else
                    {
                        waitingClients.add(client);
                    }
                }
                final int waiting = waitingClients.size();
                assertTrue(waiting >= socketHoldsAtLeast + handoffQueue && waiting <= socketHoldsAtMost + handoffQueue,
                    "the clients that wait are what the socketpair (" + socketHoldsAtLeast + ".." + socketHoldsAtMost +
                    ") and --handoff-queue (" + handoffQueue + ") hold: " + waiting);
                for (int i = 0; i < 20; i++)
                {
                    try (TestClient client = new TestClient(server.port(), 2_000))
                    {
                        client.join(otherShards.get(i % otherShards.size()));
                        servedMeanwhile++;
                    }
                }
                assertEquals((victims + 9) / 10 + 20, servedMeanwhile, "every client of the other worker served meanwhile");
                assertTrue(server.isAlive());
            }
            finally
            {
                JobControl.resume(victim);
            }
            for (final TestClient client : waitingClients)
            {
                client.expectPing(); // every queued client reaches the worker once it runs again
                assertEquals(victim, client.identify()[0]);
            }
            for (int i = 0; i < 50; i++)
            {
                try (TestClient client = new TestClient(server.port()))
                {
                    client.join(victimShards.get(i % victimShards.size()));
                }
            }
            closeAll(victimClients);
            baseline.assertRestored(server, RESTORE_MILLIS);
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 2. RLIMIT_SIGPENDING 8

    /**
     * Waves of new shards (each a hand-off, each several RT signals) against a master whose RT
     * signal queue holds 8: the queue overflows wave after wave, every overflow is answered by a
     * rescan, and every client of every wave is routed to its shard — none lost, none shed. 1500
     * clients a wave: since workers hand a client off straight from accept, many hand-offs share
     * one sendmsg (and one signal), and with 800 a wave now and then did not overflow.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sustainedSignalStormWithSigpending8RoutesEveryClientOfEveryWave() throws Exception
    {
        final int waves = 6;
        final int perWave = 1500;
        // --placement master: every new shard's client crosses the master, so each wave is a storm of channel signals.
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--max-clients", "3000", "--sigpending", "8",
            "--shard-ttl", "100ms", "--placement", "master"))
        {
            final Random random = new Random(11);
            wave(server, 100, i -> random.nextInt(1_000_000));
            final FdBaseline baseline = FdBaseline.take(server);
            int routed = 0;
            long overflowsBefore = server.counters().master(MasterCounter.OVERFLOWS);
            int wavesThatOverflowed = 0;
            for (int w = 0; w < waves; w++)
            {
                final int base = 1_000_000 * (w + 1);
                routed += wave(server, perWave, i -> base + random.nextInt(100_000));
                final long overflows = server.counters().master(MasterCounter.OVERFLOWS);
                if (overflows > overflowsBefore)
                {
                    wavesThatOverflowed++;
                }
                overflowsBefore = overflows;
            }
            assertEquals(waves * perWave, routed, "every client of every wave routed and served");
            assertTrue(wavesThatOverflowed >= waves - 1, "the storm is sustained: the RT queue overflowed in " +
                wavesThatOverflowed + " of " + waves + " waves");
            final RunDirCounters counters = server.counters();
            final long rescans = counters.master(MasterCounter.RESCANS);
            assertTrue(rescans >= 1 && rescans <= counters.master(MasterCounter.OVERFLOWS),
                "overflows answered by rescans: " + rescans + " for " + counters.master(MasterCounter.OVERFLOWS));
            assertEquals(0, counters.master(MasterCounter.REJECTED_SERVER_FULL) + counters.master(MasterCounter.REJECTED_SHARD_BUSY)
                + counters.master(MasterCounter.REJECTED_SHUTTING_DOWN), "nobody shed");
            assertEquals(0, counters.master(MasterCounter.FDS_LOST), "no fd lost");
            assertEquals(0, counters.master(MasterCounter.DEATHS), "no worker died");
            baseline.assertRestored(server, RESTORE_MILLIS);
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 3. RLIMIT_NOFILE exhausted

    /**
     * The worker's fd limit is lowered (hard and soft, with prlimit(1) on its pid: HotSpot would
     * raise a soft limit back at start) to leave room for exactly 30 clients. Clients beyond that
     * wait in the listen backlog while accept4 fails with EMFILE; meanwhile the worker must not
     * spin (it pauses accepting), and once served clients leave the waiting ones are served.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void atTheFdLimitTheWorkerWaitsWithoutSpinningAndServesTheBacklogOnceClientsLeave() throws Exception
    {
        final int shard = 7;
        final int room = 30;
        final int backlogged = 20;
        try (ServerProcess server = ServerProcess.start("--workers", "1", "--shard-ttl", "60s"))
        {
            final long worker = server.workerPids().get(0);
            final List<TestClient> served = new ArrayList<>();
            final List<TestClient> waiting = new ArrayList<>();
            // With a client of the shard connected, later ones are served where accepted: no fd goes
            // through the master, so none can be lost to MSG_CTRUNC at the limit.
            final TestClient anchor = new TestClient(server.port()).join(shard);
            try
            {
                wave(server, 100, i -> shard);
                final FdBaseline baseline = FdBaseline.take(server);
                final TreeSet<Integer> open = ProcFacts.openFds(worker);
                final int limit = lowestLimitLeaving(open, room);
                prlimitNofile(worker, limit);
                try
                {
                    for (int i = 0; i < room; i++)
                    {
                        served.add(new TestClient(server.port()).join(shard));
                    }
                    for (int i = 0; i < backlogged; i++)
                    {
                        waiting.add(new TestClient(server.port()).send(TestClient.control(shard), TestClient.PING));
                    }
                    assertTrue(eventually(5_000, () -> server.logContains("accept4 failed")), "accept4 hit EMFILE");
                    assertTrue(waiting.get(0).isSilentFor(300), "beyond the limit clients wait in the backlog");
                    assertEquals(0, answered(waiting));

                    final long ticks = ProcFacts.cpuTicks(worker);
                    Thread.sleep(1_000); // the window the worker's CPU time is measured over
                    final long usedMillis = (ProcFacts.cpuTicks(worker) - ticks) * 1000 / ProcFacts.TICKS_PER_SECOND;
                    assertTrue(usedMillis < 200, "the worker does not spin on EMFILE: " + usedMillis + " ms CPU in 1 s");

                    anchor.send(TestClient.PING).expectPing(); // connected clients are still served
                    assertTrue(server.isAlive());
                    assertEquals(List.of(worker), server.workerPids(), "the worker survives its fd limit");

                    closeAll(served.subList(0, backlogged + 2));
                    for (final TestClient client : waiting)
                    {
                        client.expectPing(); // accepted once fds were free again
                        assertEquals(shard, client.identify()[2]);
                    }
                }
                finally
                {
                    closeAll(served);
                    closeAll(waiting);
                }
                for (int i = 0; i < room; i++)
                {
                    try (TestClient client = new TestClient(server.port()))
                    {
                        client.join(shard);
                    }
                }
                baseline.assertRestored(server, RESTORE_MILLIS); // taken with the anchor connected, as it still is
            }
            finally
            {
                anchor.close();
            }
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 4. 20 000 clients

    /** Forty waves of 500 clients over 1000 shards that expire between waves: not one fd stays behind. */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void twentyThousandClientsInWavesLeaveEveryFdCountAtItsBaseline() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-ttl", "100ms"))
        {
            final Random random = new Random(20_000);
            wave(server, 200, i -> random.nextInt(1000));
            final FdBaseline baseline = FdBaseline.take(server);
            int routed = 0;
            for (int w = 0; w < 40; w++)
            {
                routed += wave(server, 500, i -> random.nextInt(1000));
            }
            assertEquals(20_000, routed);
            baseline.assertRestored(server, RESTORE_MILLIS);
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 5. RST during the hand-off

    /**
     * Clients that send {@code 'C'} for a shard with no client connected (so every one is handed
     * off through the master) and reset at once: the RST lands before the accept, between the
     * worker's read and its hand-off, in the master, or at the owner. Whichever, the socket is
     * closed everywhere, and the shard keeps its worker for the clients that come after.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void clientResettingDuringItsHandoffLeavesNoFdAndItsShardServed() throws Exception
    {
        final int shard = 42;
        // --placement master: the clients below cross the master (none is taken by the worker it lands on).
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-ttl", "60s", "--placement", "master"))
        {
            final int owner;
            try (TestClient client = new TestClient(server.port()).join(shard))
            {
                owner = client.identify()[0];
            }
            wave(server, 200, i -> i % 50);
            final FdBaseline baseline = FdBaseline.take(server);
            for (int i = 0; i < 1500; i++)
            {
                try (Socket socket = rawClient(server.port()))
                {
                    final OutputStream out = socket.getOutputStream();
                    switch (i % 3)
                    {
                        case 0: // 'C' of the assigned shard, RST
                            out.write(TestClient.control(shard));
                            break;
                        case 1: // 'C' and a message, RST before the reply is read
                            out.write(concat(TestClient.control(shard), TestClient.PING));
                            break;
                        default: // 'C' of a shard nobody owns yet, RST while the master assigns it
                            out.write(TestClient.control(100_000 + i));
                            break;
                    }
                    out.flush();
                    if (i % 2 == 1)
                    {
                        Thread.sleep(0, 200_000); // let some resets land later in the hand-off
                    }
                    socket.setSoLinger(true, 0);
                }
            }
            for (int i = 0; i < 100; i++)
            {
                try (TestClient client = new TestClient(server.port()).join(shard))
                {
                    final int[] identity = client.identify();
                    assertEquals(owner, identity[0], "shard " + shard + " stays on its worker");
                    assertEquals(shard, identity[2]);
                }
            }
            baseline.assertRestored(server, RESTORE_MILLIS);
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 6. connect-then-close storm

    /**
     * Thousands of clients that connect and close at once: some send nothing, some a partial
     * {@code 'C'} (which the worker reads and waits on for the rest), some a whole one (handed off as the
     * client goes). A client that closed can never finish its {@code 'C'}: it must be let go at
     * once, not held until the idle timeout.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void connectThenCloseStormLeaksNothingAndTheServerKeepsServing() throws Exception
    {
        // The idle timeout is far beyond the time the fds have to come back in.
        try (ServerProcess server = ServerProcess.start("--workers", "2", "--shard-ttl", "60s", "--idle-timeout", "60s"))
        {
            wave(server, 200, i -> i % 50);
            final FdBaseline baseline = FdBaseline.take(server);
            final byte[] control = TestClient.control(3);
            for (int i = 0; i < 4000; i++)
            {
                try (Socket socket = rawClient(server.port()))
                {
                    final int sent = i % 6; // 0: nothing, 1..4: partial 'C', 5: all of it
                    if (sent > 0)
                    {
                        socket.getOutputStream().write(control, 0, sent);
                        socket.getOutputStream().flush();
                    }
                }
                if (i % 1000 == 999)
                {
                    assertEquals(100, wave(server, 100, k -> k % 50), "served in the middle of the storm");
                }
            }
            baseline.assertRestored(server, RESTORE_MILLIS);
            assertEquals(200, wave(server, 200, i -> i % 50), "served after the storm");
            stopAndAssertNothingSurvives(server);
        }
    }

    // ---------------------------------------------------------------- 7. kill -9 of the master

    /**
     * The master dies by SIGKILL while clients are pinging and new ones connecting. Each worker
     * sees its channel hit EOF and exits, closing its clients; nothing is left: no worker, no
     * listener (a new connection is refused).
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void killNineOfTheMasterUnderLoadLeavesNoWorkerAndNoListener() throws Exception
    {
        try (ServerProcess server = ServerProcess.start("--workers", "2"))
        {
            final List<TestClient> connected = new ArrayList<>();
            for (int i = 0; i < 200; i++)
            {
                connected.add(new TestClient(server.port()).join(i % 20));
            }
            final List<Long> workers = server.workerPids();
            assertEquals(2, workers.size());
            final AtomicBoolean masterKilled = new AtomicBoolean();
            final AtomicInteger pingsBeforeKill = new AtomicInteger();
            final AtomicInteger joinsBeforeKill = new AtomicInteger();
            final AtomicReference<Throwable> failureBeforeKill = new AtomicReference<>();
            final Thread pinger = new Thread(() ->
            {
                try
                {
                    for (int i = 0; ; i++)
                    {
                        connected.get(i % connected.size()).send(TestClient.PING).expectPing();
                        pingsBeforeKill.incrementAndGet();
                    }
                }
                catch (final IOException ex)
                {
                    if (!masterKilled.get())
                    {
                        failureBeforeKill.set(ex);
                    }
                }
            }, "pinger");
            final Thread joiner = new Thread(() ->
            {
                try
                {
                    for (int i = 0; ; i++)
                    {
                        try (TestClient client = new TestClient(server.port(), 5_000))
                        {
                            client.join(1000 + i % 100);
                            joinsBeforeKill.incrementAndGet();
                        }
                    }
                }
                catch (final IOException ex)
                {
                    if (!masterKilled.get())
                    {
                        failureBeforeKill.set(ex);
                    }
                }
            }, "joiner");
            pinger.start();
            joiner.start();
            try
            {
                assertTrue(eventually(5_000, () -> pingsBeforeKill.get() > 500 && joinsBeforeKill.get() > 50), "under load");
                masterKilled.set(true);
                Posix.checked("kill(SIGKILL)", Posix.process().kill(server.pid(), Signals.SIGKILL));
                server.awaitExit(5, TimeUnit.SECONDS);
                final long masterGoneAt = System.nanoTime();
                assertTrue(eventually(10_000, () -> server.survivingWorkers().isEmpty()),
                    "workers exit on channel EOF: " + server.survivingWorkers());
                final long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - masterGoneAt);
                pinger.join(15_000);
                joiner.join(15_000);
                assertFalse(pinger.isAlive() || joiner.isAlive(), "clients were cut off");
                assertEquals(null, failureBeforeKill.get(), "every client was served until the kill");
                for (final TestClient client : connected)
                {
                    assertTrue(client.isEndedByServer(), "the workers ended their clients on the way out");
                }
                try (Socket socket = rawClient(server.port()))
                {
                    fail("nothing listens any more, yet a connection was accepted (workers gone after " + exitMillis + " ms)");
                }
                catch (final ConnectException expected)
                {
                    // refused: no process holds the listener
                }
            }
            finally
            {
                masterKilled.set(true);
                closeAll(connected);
                pinger.join(15_000);
                joiner.join(15_000);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    @FunctionalInterface
    interface ShardOf
    {
        int shard(int client);
    }

    /**
     * {@code clients} clients connect at once, each sends {@code 'C'}, a message and {@code 'I'};
     * each must get the reply and be identified as its shard. Then all close.
     *
     * @return clients served
     */
    private static int wave(final ServerProcess server, final int clients, final ShardOf shardOf) throws IOException
    {
        final List<TestClient> open = new ArrayList<>(clients);
        final int[] shards = new int[clients];
        int served = 0;
        try
        {
            for (int i = 0; i < clients; i++)
            {
                shards[i] = shardOf.shard(i);
                final TestClient client = new TestClient(server.port());
                open.add(client);
                client.send(TestClient.control(shards[i]), TestClient.PING, new byte[] {WireProtocol.IDENTIFY});
            }
            for (int i = 0; i < clients; i++)
            {
                open.get(i).expectPing();
                assertEquals(shards[i], open.get(i).readIdentifyReply()[2], "served as its own shard");
                served++;
            }
        }
        finally
        {
            closeAll(open);
        }
        return served;
    }

    /**
     * Joins one client per shard, one after the other and all kept connected (so that the
     * master's least-loaded choice alternates), until every worker owns {@code perWorker} shards;
     * then closes them. Run with a long --shard-ttl, so that the shards keep their workers.
     *
     * @return worker pid → the shards it owns
     */
    private static Map<Integer, List<Integer>> shardsByWorker(final ServerProcess server, final int perWorker) throws IOException
    {
        final int workers = server.workerPids().size();
        final List<TestClient> open = new ArrayList<>();
        final Map<Integer, List<Integer>> byWorker = new HashMap<>();
        try
        {
            for (int shard = 0; shard < 64 * perWorker; shard++)
            {
                final TestClient client = new TestClient(server.port()).join(shard);
                open.add(client);
                byWorker.computeIfAbsent(client.identify()[0], p -> new ArrayList<>()).add(shard);
                if (byWorker.size() == workers && byWorker.values().stream().allMatch(s -> s.size() >= perWorker))
                {
                    break;
                }
            }
        }
        finally
        {
            closeAll(open);
        }
        return byWorker;
    }

    /** Clients that have bytes waiting to be read (an answer, or an error before the close). */
    private static int answered(final List<TestClient> clients)
    {
        int answered = 0;
        for (final TestClient client : clients)
        {
            if (hasBytes(client))
            {
                answered++;
            }
        }
        return answered;
    }

    /** True if the kernel holds bytes for this client that nobody has read yet (FIONREAD). */
    private static boolean hasBytes(final TestClient client)
    {
        try
        {
            return client.socket().getInputStream().available() > 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * How many hand-off frames (one sendmsg of a frame plus one fd each, as the master sends them)
     * an AF_UNIX stream socketpair takes before EAGAIN: what the channel to a stopped worker holds
     * before the master's own queue begins.
     */
    /**
     * How many hand-off frames (each with an fd) an AF_UNIX socketpair takes before EAGAIN when
     * they are sent {@code perSendmsg} to a sendmsg: the kernel charges the socket per skb, so the
     * answer grows with the batching, which the master does whenever a pass has several.
     */
    private static int handoffsASocketpairHolds(final int perSendmsg)
    {
        final int[] pair = Posix.socketPair();
        final int[] payload = Posix.socketPair();
        int posted = 0;
        try (Channel channel = new Channel(pair[0], Channel.MAX_FRAMES_PER_SEND))
        {
            while (true)
            {
                for (int i = 0; i < perSendmsg; i++)
                {
                    final int fd = Posix.checked("dup", Posix.LIBC.dup(payload[0]));
                    assertEquals(Channel.QUEUED, channel.post(ChannelCommand.HANDOFF, posted++, 0, 0, fd));
                }
                final int queued = channel.flush();
                if (queued != 0)
                {
                    assertTrue(queued > 0, "the socketpair filled up");
                    return posted - queued;
                }
            }
        }
        finally
        {
            Posix.closeQuietly(pair[1]);
            Posix.closeQuietly(payload[0]);
            Posix.closeQuietly(payload[1]);
        }
    }

    /** The RLIMIT_NOFILE that leaves exactly {@code room} fd numbers free below it (fds are allocated lowest first). */
    private static int lowestLimitLeaving(final Set<Integer> open, final int room)
    {
        int free = 0;
        int limit = 0;
        while (free < room)
        {
            if (!open.contains(limit))
            {
                free++;
            }
            limit++;
        }
        return limit;
    }

    private static void prlimitNofile(final long pid, final int limit) throws IOException, InterruptedException
    {
        final Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + limit + ":" + limit)
            .redirectErrorStream(true).start();
        final String output = new String(prlimit.getInputStream().readAllBytes());
        assertTrue(prlimit.waitFor(10, TimeUnit.SECONDS), "prlimit finished");
        assertEquals(0, prlimit.exitValue(), "prlimit --pid " + pid + " --nofile=" + limit + ": " + output);
    }

    /** SIGTERM, a clean exit, and not one worker left behind. */
    private static void stopAndAssertNothingSurvives(final ServerProcess server) throws InterruptedException
    {
        final Set<Long> workers = new HashSet<>(server.workerPids());
        server.signal(Signals.SIGTERM);
        assertEquals(0, server.awaitExit(15, TimeUnit.SECONDS), "clean exit");
        assertTrue(eventually(5_000, () -> server.survivingWorkers().isEmpty()),
            "no worker of " + workers + " survives: " + server.survivingWorkers());
    }

    private static Socket rawClient(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    private static byte[] concat(final byte[] first, final byte[] second)
    {
        final byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static void closeAll(final List<TestClient> clients)
    {
        for (final TestClient client : clients)
        {
            try
            {
                client.close();
            }
            catch (final IOException ex)
            {
                // already gone: that is what closing is for
            }
        }
    }
}
