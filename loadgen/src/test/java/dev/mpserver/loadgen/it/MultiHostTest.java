package dev.mpserver.loadgen.it;

import static dev.mpserver.testkit.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.FailureKind;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.engine.Phase;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.multihost.MultiHostCluster;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.VerifyResult;
import dev.mpserver.master.cli.MpServer;
import dev.mpserver.master.haproxy.RtmpsRoutingSection;
import dev.mpserver.master.haproxy.ShardRing;
import dev.mpserver.testkit.TestClient;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.Executables;
import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three mpserver hosts, each in a network namespace the test makes, behind HAProxy on 127.0.0.1
 * with the configuration {@code mpserver haproxy-config} prints ({@link MultiHostCluster}): shards
 * stay on their host, a host lost under load costs only its own connected clients while its shards
 * move to its backup, and when it comes back they return to it. The tests run in order on one
 * cluster: host 0 is lost in one and comes back in the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostTest
{
    private static final int HOSTS = 3;
    private static final int LOST = 0;
    private static final ShardRing RING = new ShardRing(HOSTS);
    private static final int BACKUP = RING.backup(LOST, 1);
    private static final int OTHER = RING.backup(LOST, 2);
    private static final int SHARDS_PER_HOST = 40;
    private static final String VHOST_A = "a.mpserver.test";
    private static final String VHOST_B = "b.mpserver.test";
    private static final int TERMINATOR_PORT = 8443;

    private MultiHostCluster cluster;
    private Path pem;

    @BeforeAll
    void startCluster() throws Exception
    {
        final String reason = MultiHostCluster.unavailableReason();
        Assumptions.assumeTrue(null == reason, "multi-host test skipped: " + reason);
        final Path dir = Files.createTempDirectory(Path.of("target"), "multihost-").toAbsolutePath();
        pem = Executables.isInstalled("openssl") ? selfSignedPem(dir) : null;
        final Map<String, Integer> vhosts = new LinkedHashMap<>();
        vhosts.put(VHOST_A, 0);
        vhosts.put(VHOST_B, 1);
        cluster = MultiHostCluster.builder(System.getProperty("java.class.path"), dir)
            .hosts(HOSTS).workersPerHost(2)
            // Shards are counted per host from each worker's distinct shards: that holds if a shard stays on its worker
            // for a run, as with the master placing every shard; under --placement local an empty shard moves to the
            // worker of its host where its next client lands, and would be counted on both (LocalPlacementTest covers it).
            .mpserverOptions(List.of("--placement", "master"))
            .haproxyConfigOptions(List.of("--inspect-delay", "1s"))
            .rtmpsVhosts(vhosts, TERMINATOR_PORT)
            .start();
    }

    @AfterAll
    void stopCluster()
    {
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void loadgenVerifyThroughHaproxyFindsNoShardSplitAcrossHosts() throws Exception
    {
        final int shards = 300;
        final Report report = new LoadGenRun(LoadConfig.builder(cluster.port()).conns(3 * shards).msgs(3)
            .shardIds(ShardIds.range(0, shards - 1)).verify(true).duration(60, TimeUnit.SECONDS).build()).call();
        assertEquals(3 * shards, report.ok(), "every client served");
        assertEquals(0, report.verify().splitShards(), "no shard on two workers, let alone two hosts: " + report.verify().splitExamples());
        assertEquals(0, report.verify().mismatchedClients());
        final long[] shardsPerHost = shardsPerHost(report.verify());
        for (int host = 0; host < HOSTS; host++)
        {
            int expected = 0;
            for (int id = 0; id < shards; id++)
            {
                expected += RING.hostOf(id) == host ? 1 : 0;
            }
            assertEquals(expected, shardsPerHost[host], "host " + host + " served exactly the shards that hash to it");
        }
    }

    @Test
    @Order(2)
    void clusterStatAddsUpTheHostsRunDirs() throws Exception
    {
        final List<String> dirs = new ArrayList<>();
        long messages = 0;
        for (int host = 0; host < HOSTS; host++)
        {
            dirs.add("h" + host + "=" + cluster.server(host).runDir());
        }
        final String[] table = new String[1];
        final long expected = 3 * 300 * 3; // the 'M's of the test before; the health checks send only 'I'
        assertTrue(eventually(5000, () ->
        {
            table[0] = mpserver("cluster-stat", "--run-dirs", String.join(",", dirs));
            return row(table[0], "messages")[0] == expected;
        }), "cluster messages: " + table[0]);
        final long[] row = row(table[0], "messages");
        for (int host = 0; host < HOSTS; host++)
        {
            assertTrue(row[1 + host] > 0, table[0]);
            messages += row[1 + host];
            assertEquals(RunDirCounters.read(cluster.server(host).runDir()).total(WorkerCounter.MESSAGES), row[1 + host],
                "each column is that host's stat");
        }
        assertEquals(expected, messages, "the cluster column is the hosts' sum");
        assertTrue(table[0].contains(HOSTS + " hosts, " + HOSTS + " running"), table[0]);
        assertEquals(2L * HOSTS, row(table[0], "workers")[0], table[0]);
    }

    @Test
    @Order(3)
    void rtmpsReachesItsVhostsHostThroughSniWithoutTheBalancerTerminatingTls() throws Exception
    {
        Assumptions.assumeTrue(null != pem, "openssl is not installed: no certificate for the TLS terminators");
        cluster.startTlsTerminator(0, pem);
        cluster.startTlsTerminator(1, pem);
        for (int t = 0; t < 2; t++)
        {
            cluster.haproxy().awaitStatus(RtmpsRoutingSection.backendName(t), RtmpsRoutingSection.serverName(t), MultiHostCluster.UP, 10_000);
        }
        assertEquals(0, cluster.hostOfPid(identifyOverTls(VHOST_A, 7)[0]), VHOST_A + " lives on host 0");
        assertEquals(1, cluster.hostOfPid(identifyOverTls(VHOST_B, 7)[0]), VHOST_B + " lives on host 1, whatever the shard");
        assertEquals(0, cluster.hostOfPid(identifyOverTls(VHOST_A, 8)[0]));
        for (final String unknown : new String[] {"c.mpserver.test", null})
        {
            try
            {
                identifyOverTls(unknown, 7);
                throw new AssertionError("a ClientHello naming " + unknown + " must be closed");
            }
            catch (final SSLException | java.io.EOFException ex)
            {
                // closed during the handshake, as the configuration says
            }
        }
    }

    @Test
    @Order(4)
    void losingAHostUnderLoadFailsOnlyItsConnectedClientsAndItsShardsMoveToItsBackup() throws Exception
    {
        final int lostRate = 60;
        final int otherRate = 100;
        final long logStart = Files.size(cluster.haproxy().log());
        final long identifiedBefore = counterOf(LOST, WorkerCounter.IDENTIFIES);
        final LoadGenRun lostShards = openLoop(shardsOf(LOST), lostRate, 7);
        final LoadGenRun otherShards = openLoop(concat(shardsOf(BACKUP), shardsOf(OTHER)), otherRate, 7);
        final CompletableFuture<Report> lostReport = async(lostShards);
        final CompletableFuture<Report> otherReport = async(otherShards);
        // Lost under load: it dies while it serves clients (at 60 a second, each half a second long, about 30),
        // after some have ended there ('I' answered), so that its shards were served by it, then by its backup.
        final long[] clients = {0};
        assertTrue(eventually(10_000, () -> counterOf(LOST, WorkerCounter.IDENTIFIES) >= identifiedBefore + 5
            && (clients[0] = counterOf(LOST, WorkerCounter.CLIENTS)) > 1), "the lost host serves clients before it dies");
        final long connectedAtKill = clients[0];
        final long lostPidsBefore = cluster.server(LOST).knownPids().size();
        final long killedAt = System.currentTimeMillis();
        cluster.kill(LOST);
        final long downMillis = cluster.awaitHostStatus(LOST, MultiHostCluster.DOWN, 10_000);
        final Report lost = lostReport.get(60, TimeUnit.SECONDS);
        final Report other = otherReport.get(60, TimeUnit.SECONDS);
        final List<Session> sessions = sessions(logStart);
        // HAProxy's log names every session's server and when it ended: those with the lost host that ended
        // when it died (or later) were connected to it then. A process killed closes its sockets with a FIN
        // (a RST if it had unread input), so their termination state alone does not say it. Also lost with
        // it: a session of its shards that HAProxy ended because the server went down ('D'), e.g. one
        // being redispatched to the backup at that moment (seen: "mpserver_h0/h1 1001/0/1000 D- ... +1").
        int connectedThen = 0;
        for (final Session session : sessions)
        {
            final boolean endedWithIt = session.isWith(LOST, LOST) && session.endMillis() >= killedAt;
            final boolean endedByItsDown = session.backend().equals(MultiHostCluster.backendName(LOST))
                && session.termination().startsWith("D");
            if (endedWithIt || endedByItsDown)
            {
                connectedThen++;
            }
        }
        System.out.printf("host %d lost with %d clients connected to it (its counters: %d), marked down after %d ms; its shards' "
            + "clients: %s; the other hosts' clients: %s%n", LOST, connectedThen, connectedAtKill, downMillis, failures(lost),
            failures(other));

        assertTrue(connectedAtKill > 1, "the host was lost under load: " + connectedAtKill + " clients connected");
        assertTrue(downMillis < 5000, "HAProxy marked it down " + downMillis + " ms after the kill");
        assertEquals(0, other.failed() + other.shed(), "no client of another host noticed: " + failures(other));
        assertEquals(0, other.verify().splitShards(), "none of their shards had clients in two workers at once");
        final long[] otherPerHost = shardsPerHost(other.verify());
        assertEquals(SHARDS_PER_HOST, otherPerHost[BACKUP], "the backup's own shards on the backup");
        assertEquals(SHARDS_PER_HOST, otherPerHost[OTHER]);

        for (final Session session : sessions)
        {
            if (!session.termination().equals("--"))
            {
                assertTrue(session.isWith(LOST, LOST) || session.backend().equals(MultiHostCluster.backendName(LOST))
                    && session.termination().startsWith("D"), "only sessions with the lost host (or being connected to it as "
                    + "HAProxy marked it down) end abnormally: " + session);
            }
        }
        assertTrue(lost.failed() > 0, "its connected clients lost their connection");
        assertTrue(lost.failed() <= connectedThen, "only clients connected to it failed: " + connectedThen + " were; "
            + failures(lost));
        assertEquals(0, lost.failures(Phase.CONNECT) + lost.shed(), "HAProxy itself accepted everyone: " + failures(lost));
        assertEquals(lost.failed(), lost.failures(FailureKind.CLOSED) + lost.failures(FailureKind.RESET), failures(lost));
        final long[] lostPerHost = clientsPerHost(lost.verify());
        assertEquals(0, lostPerHost[OTHER], "its shards went to its backup, never further");
        assertTrue(lostPerHost[LOST] > 0 && lostPerHost[BACKUP] > 0, "served by it, then by its backup: " + lost.verify().workers());
        assertEquals(lostPidsBefore, cluster.server(LOST).knownPids().size(), "no process of the lost host served anyone later");

        final Report after = closedLoop(shardsOf(LOST), 200);
        assertEquals(200, after.ok(), "every new client of its shards is served: " + failures(after));
        assertEquals(200, clientsPerHost(after.verify())[BACKUP], "by the backup");
        assertEquals(0, after.verify().splitShards());
    }

    /** One line of HAProxy's connection log (option tcplog): where the session went, how and when it ended. */
    private record Session(String backend, String server, String termination, long endMillis)
    {
        /** {@code <6>client [accept date] frontend backend/server Tw/Tc/Tt bytes termination ...} */
        private static final Pattern LINE = Pattern.compile(
            "^<\\d+>\\S+ \\[([^\\]]+)\\] \\S+ ([^/\\s]+)/(\\S+) -?\\d+/-?\\d+/\\+?(\\d+) \\+?\\d+ (\\S\\S) ");
        private static final DateTimeFormatter ACCEPT_DATE = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss.SSS", Locale.ENGLISH)
            .withZone(ZoneId.systemDefault());

        /** A session of host {@code shardHost}'s backend on host {@code server}. */
        boolean isWith(final int shardHost, final int serverHost)
        {
            return backend.equals(MultiHostCluster.backendName(shardHost)) && server.equals(MultiHostCluster.serverName(serverHost));
        }

        @Override
        public String toString()
        {
            return backend + "/" + server + " " + termination;
        }
    }

    /** The sessions HAProxy logged from byte {@code from} of its log on. */
    private List<Session> sessions(final long from) throws IOException
    {
        final String log = Files.readString(cluster.haproxy().log());
        final List<Session> sessions = new ArrayList<>();
        for (final String line : log.substring((int)from).split("\n"))
        {
            final Matcher m = Session.LINE.matcher(line);
            if (m.find())
            {
                final long accepted = Instant.from(Session.ACCEPT_DATE.parse(m.group(1))).toEpochMilli();
                sessions.add(new Session(m.group(2), m.group(3), m.group(5), accepted + Long.parseLong(m.group(4))));
            }
        }
        return sessions;
    }

    @Test
    @Order(5)
    void whenTheHostIsBackItsShardsReturnToItAndTheBackupClosesItsClientsOfThem() throws Exception
    {
        Assumptions.assumeTrue(!cluster.server(LOST).isRunning(), "needs the host lost by the test before");
        final int[] lostShards = shardsOf(LOST);
        final long logStart = Files.size(cluster.haproxy().log());
        final List<TestClient> onBackup = new ArrayList<>();
        final LoadGenRun otherShards = openLoop(concat(shardsOf(BACKUP), shardsOf(OTHER)), 100, 60);
        final CompletableFuture<Report> otherReport = async(otherShards);
        try
        {
            for (int i = 0; i < 6; i++)
            {
                final TestClient client = new TestClient(cluster.port(), 5000).join(lostShards[i]);
                onBackup.add(client);
                assertEquals(BACKUP, cluster.hostOfPid(client.identify()[0]), "while it is down, its shards are on the backup");
            }
            cluster.restart(LOST);
            final long upMillis = cluster.awaitHostStatus(LOST, MultiHostCluster.UP, 20_000);
            final long upAt = System.nanoTime();
            for (final TestClient client : onBackup)
            {
                assertTrue(client.isClosedByServer(), "HAProxy closed the backup's client of a returning shard");
            }
            System.out.printf("host %d marked up %d ms after its mpserver was ready; the backup's %d clients of its shards "
                + "closed within %d ms of that%n", LOST, upMillis, onBackup.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upAt));
            final List<Session> closedForReturn = new ArrayList<>();
            for (final Session session : sessions(logStart))
            {
                if (session.termination().startsWith("U")) // "U": closed because a server came up
                {
                    closedForReturn.add(session);
                }
            }
            assertEquals(onBackup.size(), closedForReturn.size(), "exactly the backup's clients of its shards: " + closedForReturn);
            for (final Session session : closedForReturn)
            {
                assertTrue(session.isWith(LOST, BACKUP), session.toString());
            }

            final Report back = closedLoop(lostShards, 200);
            assertEquals(200, back.ok(), failures(back));
            assertEquals(200, clientsPerHost(back.verify())[LOST], "new clients of its shards reach it again");
            assertEquals(0, back.verify().splitShards());
            assertTrue(upMillis < 15_000, "up " + upMillis + " ms after its mpserver was ready");
        }
        finally
        {
            otherShards.requestStop();
            for (final TestClient client : onBackup)
            {
                client.close();
            }
        }
        final Report other = otherReport.get(60, TimeUnit.SECONDS);
        assertEquals(0, other.failed() + other.shed(), "the other hosts' clients did not notice: " + failures(other));
        assertEquals(0, other.verify().splitShards());
    }

    private LoadGenRun openLoop(final int[] shards, final int rate, final int seconds)
    {
        return new LoadGenRun(LoadConfig.builder(cluster.port()).conns((long)rate * seconds).msgs(5).msgRate(10)
            .arrivals(ArrivalSchedule.constantRate(rate)).shardIds(ShardIds.list(shards)).verify(true)
            .timeout(5, TimeUnit.SECONDS).duration(seconds + 30, TimeUnit.SECONDS).build());
    }

    private Report closedLoop(final int[] shards, final int conns) throws InterruptedException
    {
        return new LoadGenRun(LoadConfig.builder(cluster.port()).conns(conns).msgs(3).shardIds(ShardIds.list(shards))
            .verify(true).timeout(5, TimeUnit.SECONDS).duration(60, TimeUnit.SECONDS).build()).call();
    }

    private static CompletableFuture<Report> async(final LoadGenRun run)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return run.call();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        });
    }

    /** The first {@link #SHARDS_PER_HOST} shard ids from 1000 up that hash to {@code host}. */
    private static int[] shardsOf(final int host)
    {
        final int[] ids = new int[SHARDS_PER_HOST];
        int n = 0;
        for (int id = 1000; n < ids.length; id++)
        {
            if (RING.hostOf(id) == host)
            {
                ids[n++] = id;
            }
        }
        return ids;
    }

    private static int[] concat(final int[] a, final int[] b)
    {
        final int[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private long[] shardsPerHost(final VerifyResult verify)
    {
        return perHost(verify, VerifyResult.Worker::shards);
    }

    private long[] clientsPerHost(final VerifyResult verify)
    {
        return perHost(verify, VerifyResult.Worker::clients);
    }

    /** {@code figure} of every worker the 'I' replies named, added up per host. */
    private long[] perHost(final VerifyResult verify, final ToLongFunction<VerifyResult.Worker> figure)
    {
        final long[] perHost = new long[HOSTS];
        for (final VerifyResult.Worker worker : verify.workers())
        {
            final int host = cluster.hostOfPid(worker.pid());
            assertNotEquals(-1, host, "pid " + worker.pid() + " is a worker of one of the hosts");
            perHost[host] += figure.applyAsLong(worker);
        }
        return perHost;
    }

    private static String failures(final Report report)
    {
        final StringBuilder text = new StringBuilder("ok " + report.ok() + ", failed " + report.failed() + ", shed " + report.shed());
        for (final Phase phase : Phase.values())
        {
            for (final FailureKind kind : FailureKind.values())
            {
                if (report.failures(phase, kind) > 0)
                {
                    text.append(", ").append(phase.label()).append('/').append(kind.label()).append(' ').append(report.failures(phase, kind));
                }
            }
        }
        return text.toString();
    }

    /**
     * 'C' id and 'I' over TLS through the balancer's RTMPS port, naming {@code vhost} in SNI (none if
     * null): {pid, slot, shard, clients} of the mpserver worker behind the vhost's terminator.
     */
    private int[] identifyOverTls(final String vhost, final int shard) throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (var in = Files.newInputStream(pem))
        {
            trusted.setCertificateEntry("terminator", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket)tls.getSocketFactory().createSocket("127.0.0.1", cluster.rtmpsPort()))
        {
            socket.setSoTimeout(5000);
            final SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(null == vhost ? List.of() : List.of(new SNIHostName(vhost)));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            final OutputStream out = socket.getOutputStream();
            out.write(TestClient.control(shard));
            out.write(WireProtocol.IDENTIFY);
            out.flush();
            final byte[] reply = new byte[WireProtocol.IDENTIFY_REPLY_LENGTH];
            new DataInputStream(socket.getInputStream()).readFully(reply);
            assertEquals(WireProtocol.IDENTIFY, reply[0]);
            final ByteBuffer fields = ByteBuffer.wrap(reply, WireProtocol.IDENTIFY_PID_OFFSET, 4 * Integer.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
            final int[] identity = {fields.getInt(), fields.getInt(), fields.getInt(), fields.getInt()};
            assertEquals(shard, identity[2]);
            return identity;
        }
    }

    /** A self-signed certificate for both vhosts, and its key, in one PEM file as HAProxy's crt wants it. */
    private static Path selfSignedPem(final Path dir) throws IOException, InterruptedException
    {
        final Path key = dir.resolve("key.pem");
        final Path cert = dir.resolve("cert.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=" + VHOST_A,
            "-addext", "subjectAltName=DNS:" + VHOST_A + ",DNS:" + VHOST_B, "-keyout", key.toString(), "-out", cert.toString())
            .redirectErrorStream(true).start();
        final String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, output);
        final Path pem = dir.resolve("vhosts.pem");
        Files.writeString(pem, Files.readString(cert) + Files.readString(key));
        return pem;
    }

    private static String mpserver(final String... args)
    {
        final StringWriter out = new StringWriter();
        final picocli.CommandLine cli = new picocli.CommandLine(new MpServer());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args));
        return out.toString();
    }

    /** The numbers of a counter's row in cluster-stat's table: the cluster's, then each host's. */
    private static long[] row(final String table, final String label)
    {
        final Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +((?: +\\d+)+)$").matcher(table);
        if (!m.find())
        {
            return new long[] {-1};
        }
        final String[] numbers = m.group(1).trim().split(" +");
        final long[] values = new long[numbers.length];
        for (int i = 0; i < numbers.length; i++)
        {
            values[i] = Long.parseLong(numbers[i]);
        }
        return values;
    }

    private long counterOf(final int host, final WorkerCounter counter)
    {
        try
        {
            return RunDirCounters.read(cluster.server(host).runDir()).total(counter);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
