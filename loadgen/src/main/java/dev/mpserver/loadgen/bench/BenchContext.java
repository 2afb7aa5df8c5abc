package dev.mpserver.loadgen.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every case of a bench run shares: where the built server is, how many repeats, the clients
 * and native peers available, the server JVMs to compare, where figures go, and the server shapes
 * the cases start.
 */
final class BenchContext
{
    static final int MIN_SCALED = 10;
    /**
     * How long a server is left alone after the bursts that warm it, before a measured load. A
     * single-process server was still serving the last burst's closes when the next client came:
     * its first open loop met one 18-27 ms stall in 3 runs of 3, and none after a 1 s pause
     * (docs/benchmarks.md, ninth session). That figure was the burst's, not the load's, and it
     * fell on whichever client went first.
     */
    static final long SETTLE_AFTER_BURSTS_MILLIS = 1_000;

    final Path repo;
    final Path workDir;
    final int repeat;
    /** Every client count, rate and warm-up multiplied by this (1 for real figures; less for smoke runs). */
    final double scale;
    final PrintStream out;
    final BenchResults results;
    final NativePeers peers;
    /** The server JVMs; the first is the one every case but "cold" uses. */
    final List<ServerJava> javas;
    private final List<BenchClient> clients;

    BenchContext(final Path repo, final Path workDir, final int repeat, final double scale, final PrintStream out,
        final BenchResults results, final NativePeers peers, final List<ServerJava> javas, final List<BenchClient> clients)
    {
        this.repo = repo;
        this.workDir = workDir;
        this.repeat = repeat;
        this.scale = scale;
        this.out = out;
        this.results = results;
        this.peers = peers;
        this.javas = List.copyOf(javas);
        this.clients = List.copyOf(clients);
    }

    /** A client count or rate under --scale, at least {@link #MIN_SCALED}. */
    int scaled(final int value)
    {
        return (int)Math.max(Math.min(value, MIN_SCALED), Math.round(value * scale));
    }

    /** {@link #SETTLE_AFTER_BURSTS_MILLIS}, or under --scale that share of it. */
    long settleMillis()
    {
        return Math.round(SETTLE_AFTER_BURSTS_MILLIS * Math.min(1.0, scale));
    }

    /** Leaves the server alone for {@link #settleMillis}. */
    void settleAfterBursts() throws InterruptedException
    {
        Thread.sleep(settleMillis());
    }

    List<BenchClient> clients()
    {
        return clients;
    }

    /**
     * The clients in the order they take their turn in repeat {@code r}: reversed every other
     * repeat, so that neither always meets the server first (or right after the other).
     */
    List<BenchClient> clientsInTurn(final int r)
    {
        return inTurn(clients, r);
    }

    /**
     * {@code items} in the order they take their turn in repeat {@code r}: reversed every other
     * repeat, so that none always goes first, or right after the same neighbour.
     */
    static <T> List<T> inTurn(final List<T> items, final int r)
    {
        final List<T> order = new ArrayList<>(items);
        if (r % 2 == 1)
        {
            Collections.reverse(order);
        }
        return order;
    }

    /** loadgen in-process: the client that warms servers (and itself) before warm figures. */
    BenchClient warmUpClient()
    {
        for (final BenchClient c : clients)
        {
            if (c instanceof LoadGenClient)
            {
                return c;
            }
        }
        return clients.get(0);
    }

    /** The C client if it was built (nothing in it is shared with loadgen), else loadgen. */
    BenchClient independentClient()
    {
        for (final BenchClient c : clients)
        {
            if (c instanceof EpollClient)
            {
                return c;
            }
        }
        return clients.get(0);
    }

    /** "jvm1", "jvm2", …: a server JVM's short name in tables and JSON keys (the run's header says which is which). */
    String javaName(final ServerJava java)
    {
        return "jvm" + (javas.indexOf(java) + 1);
    }

    ServerJava java()
    {
        return javas.get(0);
    }

    /** mpserver on the first server JVM. */
    ServerShape mpserver(final String name, final String... args)
    {
        return mpserver(name, java(), args);
    }

    ServerShape mpserver(final String name, final ServerJava java, final String... args)
    {
        return new ServerShape(name, true, () -> ServerUnderTest.start(repo, workDir, java, args));
    }

    /** The C epoll server, or null if it could not be built. */
    ServerShape cServer()
    {
        final Path binary = peers.server();
        return null == binary ? null : new ServerShape("C server", false, () -> ServerUnderTest.startReference(binary, workDir));
    }

    /** The prototype with 2 workers, or null if it could not be built. */
    ServerShape prototype()
    {
        final Path binary = peers.prototype();
        return null == binary ? null : new ServerShape("prototype (2 workers)", false,
            () -> ServerUnderTest.startPrototype(binary, 2, workDir));
    }
}
