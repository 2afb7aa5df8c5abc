package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

import dev.mpserver.protocol.rundir.RunDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scripts/bench}: the benchmark suite, side by side in one run so that ratios are measured
 * under the same machine noise, each load under two clients (loadgen and an independent C client)
 * on the same server. Every case starts its own servers on 127.0.0.1 and stops them by pid; every
 * load is bounded in count and time.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {
        "Runs the mpserver benchmarks side by side and prints one table per case (and --json). Every load runs under two clients "
            + "on the same server, in turns: loadgen (in this JVM, warmed first by 4 bursts and an open loop against the C server) and the independent C client "
            + "(scripts/reference/epoll_client.c: one thread, epoll, compiled with cc at start). Each client sends 'C' id + its first "
            + "'M' in one write, then its messages one at a time; random shard ids over 100 000 shards, so nearly every client's shard "
            + "has no client anywhere: under --placement local (the default) the worker it lands on takes it, under --placement master "
            + "it crosses the master. Medians of --repeat runs; every ratio is the median of per-repeat ratios.",
        "",
        "Cases (--only), in the order they run (about 10 minutes in all with --repeat 3):",
        "  throughput  closed loop, N=1000 and 5000 clients x 10 messages all at once, warm (250 k messages first): msgs/s, "
            + "conns/s, conns/s until 90 %% done, route p99 of single-process (--workers 0), routed (--workers 2), not routed "
            + "(--workers 2, no 'C') and the C server (scripts/reference/epoll_server.c); ratios routed / not routed, "
            + "single-process / C server, and loadgen / C client on each server.",
        "  peers       issue 16's table: C server, --workers 0, --workers 2, --workers 2 --placement master and the prototype (scripts/reference/"
            + "prototype_mpserver2.cpp, 2 workers), warm (5 bursts of 5000 first, then 1 s alone to serve their closes), all up at once, each load going to them in turn so that the "
            + "figures a ratio compares are seconds apart: open loops of 1000/s and 3000/s for 2 s "
            + "(route p50/p99; the C client also measures from each client's intended start, as wrk2 does), then a burst of "
            + "5000 (conns/s until 90 %%), 10 messages per client; a server that exits under a load is named. Then routed / "
            + "single-process route p99 per client (issue 16: <= 2) and what routing adds to the p99, next to what the extra "
            + "wake-ups alone add on this machine, measured in every repeat at the same rates by scripts/reference/wake_chain.c: "
            + "paced round trips through one process and through a routed chain (a master in sigsuspend woken by its "
            + "channel's RT signal, then a second process), with no server work, on any CPU and with every process on one "
            + "CPU (the difference is what wake-ups that cross CPUs cost).",
        "  cold        what users meet first, for each --java in turns: a new server's first burst of 5000 next to its "
            + "warm one after 4 more (--workers 0, --workers 2; the C server as yardstick), under the independent client; and "
            + "routed, under both clients, the first 5000 clients at 3000/s x 10 on --workers 2 --standby 0 after a start, warm, "
            + "warm again (nothing changed: its p99 / warm is the bar's own noise), after a reload (SIGHUP) and after a respawn (kill -9 of a worker), and on --workers 2 (defaults: a standby) after "
            + "a start, warm, after a kill -9 (the standby promoted), as the next standby starts and after a reload: route "
            + "p50/p99/max and p99 / warm p99 (issue 16: <= 2); and the "
            + "floor of that bar here: the C server's p99 at the same load next to one SCHED_IDLE busy process (a respawn's "
            + "CPU, no server code) over its p99 alone.",
        "  overload    issue 12, once per client (counts that must be 0; --repeat does not apply): default options "
            + "(--workers 2 only), a fresh server each for open loops of 6000/s and 10000/s x 10 messages for 2 s and for "
            + "three bursts of 5000 back to back: clients failed, 'E' replies by code as clients read them, the server's 'E' "
            + "counters and spawns, route p99; 'I' ends every client: shards served by more than one worker over the run, "
            + "and (C client) shards split, i.e. with clients in two workers at once (must be 0).",
        "  master      the master alone with synthetic workers: hand-offs/s.",
        "  footprint   worker spawn-to-READY (first, and respawn after kill -9), RSS of master and idle worker.",
        "  loadgen     scripts/loadgen run in a fresh JVM (as users run it) vs the C client on the C server, 5000 x 10: the "
            + "ratio of msgs/s (target >= 0.9).",
        "  multihost   issue 18: loadgen through HAProxy to 2 hosts in network namespaces vs 1 host directly, 300 conns/s x "
            + "10 s, and the loss of a host 4 s in: route p50/p99, lost clients, split shards (needs root, ip, haproxy).",
        "  rtmp        issue 14 (only when named): ffmpeg publishers and players (4 streams x 15 players) on mpserver with 2 "
            + "and 4 workers and nginx-rtmp with 1 and 2, default and low-latency player options: players that decoded frames, "
            + "play -> first media bytes (timed on the wire by a proxy), player start -> first decoded frame, CPU per stream.",
        "  rtmp-load   issue 15 (only when named): loadgen rtmp against mpserver and nginx-rtmp (1 and 2 workers), 1 x 1000 "
            + "and 50 x 20 players: served, frames lost, relay p50/p99, time to first frame, server CPU and RSS per player, "
            + "loadgen's own CPU and memory; the servers take turns within each repeat, and mpserver's relay p99 is also given "
            + "as the median of its per-repeat ratios to nginx-rtmp's single worker (issue 15: <= 1).",
        "",
        "Reading the figures: msgs/s and conns/s are over a whole run; conns/s90 is 90 %% of the clients over the time until "
            + "that many had ended ok (n/a: fewer did); route = 'C' + first 'M' written -> first reply (includes any hand-off); "
            + "'not ok' = clients that failed, were refused ('E'), cut off or never started. Native peers that cannot be built "
            + "(no cc / c++) are skipped with a line saying why.",
        ""})
public final class Bench implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (where master/target/lib is).")
    Path repo;

    @Option(names = "--repeat", defaultValue = "3", description = "Runs per case; the median is reported (1..9, default ${DEFAULT-VALUE}). For the p99 ratios of "
        + "peers and cold (issue 16) use 5: on a 2-vCPU machine one repeat's p99 moves 2-4x, even the C server's "
        + "(docs/benchmarks.md, ninth session).")
    int repeat;

    @Option(names = "--only", split = ",", paramLabel = "CASE", description =
        "Run only these cases (comma-separated): ${COMPLETION-CANDIDATES}. Default: all but rtmp and rtmp-load, which run "
            + "only when named (ffmpeg and loadgen rtmp loads, several minutes each).")
    EnumSet<Case> only = EnumSet.complementOf(EnumSet.of(Case.rtmp, Case.rtmp_load));

    @Option(names = "--clients", split = ",", paramLabel = "CLIENT", description =
        "Clients to drive the servers with: ${COMPLETION-CANDIDATES} (default: both; 'c' needs cc). One client roughly "
            + "halves the time of throughput, peers, cold and overload.")
    EnumSet<ClientKind> clientKinds = EnumSet.allOf(ClientKind.class);

    @Option(names = "--java", paramLabel = "'PATH [OPTS] [-- SERVER-OPTS]'", description = {
        "JVM for the servers under test, with optional JVM options for the master (its workers run on the master's JVM) and, "
            + "after --, mpserver options of this variant (e.g. -- --worker-jvm-opts '-XX:+UseSerialGC ...'); quotes keep spaces. "
            + "E.g. --java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java. Repeat to compare: the cold case runs every one side "
            + "by side, the other cases use the first. Default: the JVM running the bench."})
    List<String> javaSpecs = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write every figure as JSON (medians, per-repeat values, what was skipped).")
    Path json;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "F", description = {
        "Multiply every client count, rate and warm-up by F (0.001..1) for a quick smoke run of the bench itself; "
            + "figures are only comparable at 1 (default)."})
    double scale;

    @Option(names = "--keep", description = "Keep the work directory (the servers' logs; mpserver's run directories, in "
        + "memory where possible, go with each server) instead of deleting it.")
    boolean keep;

    private static final int LOADGEN_WARM_UP_BURSTS = 4;
    private static final int LOADGEN_WARM_UP_CONNS = 5000;
    /**
     * Then an open loop, whose paced path the bursts do not take: without it, the first open loop
     * of a run (the cold case's first "after a start" under loadgen) measured loadgen's own JIT,
     * p99 ~2 ms against ~0.5 in later repeats (docs/benchmarks.md, fourth session).
     */
    private static final int LOADGEN_WARM_UP_RATE = 3000;

    /** The cases of the suite, in the order they run. */
    enum Case
    {
        throughput(ThroughputCase::new),
        peers(PeersCase::new),
        cold(ColdCase::new),
        overload(OverloadCase::new),
        master(MasterOnlyCase::new),
        footprint(FootprintCase::new),
        loadgen(LoadGenCheckCase::new),
        multihost(MultiHostCase::new),
        rtmp(RtmpCase::new),
        rtmp_load(RtmpLoadCase::new);

        private final Supplier<BenchCase> factory;

        Case(final Supplier<BenchCase> factory)
        {
            this.factory = factory;
        }

        /** What --only takes: rtmp-load for rtmp_load. */
        @Override
        public String toString()
        {
            return name().replace('_', '-');
        }
    }

    /** The clients --clients chooses from. */
    enum ClientKind
    {
        loadgen, c
    }

    @Override
    public Integer call() throws Exception
    {
        if (repeat < 1 || repeat > 9)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be 1..9");
        }
        if (!(scale >= 0.001 && scale <= 1))
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scale must be 0.001..1");
        }
        final List<ServerJava> javas = new ArrayList<>();
        for (final String javaSpec : javaSpecs)
        {
            try
            {
                javas.add(ServerJava.parse(javaSpec));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
            }
        }
        if (javas.isEmpty())
        {
            javas.add(ServerJava.current());
        }
        if (clientKinds.isEmpty())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--clients needs at least one client");
        }

        final PrintStream out = System.out;
        final long started = System.nanoTime();
        final BenchResults results = new BenchResults();
        out.printf(Locale.ROOT, "mpserver bench: %d cores, %s, bench java %s, %s, median of %d%s%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
            System.getProperty("java.version"), java.time.LocalDate.now(), repeat,
            scale < 1 ? String.format(Locale.ROOT, ", --scale %s: a smoke run, not figures to compare", scale) : "");
        for (int i = 0; i < javas.size(); i++)
        {
            out.printf(Locale.ROOT, "  server JVM jvm%d %s: %s%n", i + 1, i == 0 ? "(every case)" : "(cold case)", javas.get(i));
        }
        final Path workDir = Files.createTempDirectory("mpserver-bench-");
        final NativePeers peers = NativePeers.compile(repo, workDir);
        for (final String why : peers.missing())
        {
            out.println("  skipped: " + why);
            results.skipped(why);
        }
        final List<BenchClient> clients = new ArrayList<>();
        if (clientKinds.contains(ClientKind.loadgen))
        {
            clients.add(new LoadGenClient());
        }
        if (clientKinds.contains(ClientKind.c))
        {
            if (null == peers.client())
            {
                out.println("  the C client is not available: the figures are loadgen's alone");
            }
            else
            {
                clients.add(new EpollClient(peers.client()));
            }
        }
        if (clients.isEmpty())
        {
            System.err.println("bench: no client left to run (the C client could not be built; see above)");
            return 3;
        }
        out.println("  clients: " + String.join(", ", clients.stream().map(BenchClient::name).toArray(String[]::new)));
        final Path runBase = ServerUnderTest.runDirsUnder(workDir);
        out.println("  mpserver run directories under " + runBase + " (" + RunDirectory.fileSystemType(runBase) + ")");

        final BenchContext ctx = new BenchContext(repo, workDir, repeat, scale, out, results, peers, javas, clients);
        header(results, javas, clients);
        try
        {
            warmInProcessLoadGen(ctx);
            for (final Case c : Case.values())
            {
                if (only.contains(c))
                {
                    final long caseStart = System.nanoTime();
                    c.factory.get().run(ctx);
                    results.put("elapsedSeconds." + c.name(), Math.round((System.nanoTime() - caseStart) / 1e9));
                }
            }
        }
        finally
        {
            if (keep)
            {
                out.println("work directory kept: " + workDir);
            }
            else
            {
                DirectoryTree.delete(workDir);
            }
        }
        final double seconds = (System.nanoTime() - started) / 1e9;
        results.put("elapsedSeconds.total", Math.round(seconds));
        out.printf(Locale.ROOT, "%nbench done in %.0f s%n", seconds);
        if (null != json)
        {
            results.write(json);
            out.println("JSON: " + json.toAbsolutePath());
        }
        return 0;
    }

    /**
     * Bursts of loadgen in this JVM against the C server before any case, so that no case measures
     * loadgen's own JIT at work (a cold in-process client would be charged to the server's cold
     * figures, and to native servers, which nothing else warms it against).
     */
    private void warmInProcessLoadGen(final BenchContext ctx) throws Exception
    {
        final ServerShape cServer = ctx.cServer();
        final boolean needed = only.stream().anyMatch(c -> c != Case.master && c != Case.footprint && c != Case.loadgen &&
            c != Case.multihost && c != Case.rtmp && c != Case.rtmp_load);
        if (!needed || null == cServer || !clientKinds.contains(ClientKind.loadgen))
        {
            return;
        }
        final BenchClient loadgen = new LoadGenClient();
        try (ServerUnderTest server = cServer.start())
        {
            for (int w = 0; w < LOADGEN_WARM_UP_BURSTS; w++)
            {
                loadgen.run(server.port(), ClientLoad.burst(ctx.scaled(LOADGEN_WARM_UP_CONNS), 10).withSeed(10_000 + w));
            }
            loadgen.run(server.port(), ClientLoad.open(ctx.scaled(LOADGEN_WARM_UP_RATE), ctx.scaled(LOADGEN_WARM_UP_CONNS), 10)
                .withSeed(10_000 + LOADGEN_WARM_UP_BURSTS));
        }
        ctx.out.printf(Locale.ROOT, "  loadgen (in this JVM) warmed by %d bursts of %d x 10 and an open loop of %d at %d/s against "
            + "the C server%n", LOADGEN_WARM_UP_BURSTS, ctx.scaled(LOADGEN_WARM_UP_CONNS), ctx.scaled(LOADGEN_WARM_UP_CONNS),
            ctx.scaled(LOADGEN_WARM_UP_RATE));
    }

    private void header(final BenchResults results, final List<ServerJava> javas, final List<BenchClient> clients)
    {
        results.header("date", java.time.LocalDate.now().toString());
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("benchJava", System.getProperty("java.version"));
        results.header("machine", machine);
        final Map<String, Object> options = new LinkedHashMap<>();
        options.put("repeat", repeat);
        options.put("scale", scale);
        options.put("only", only.stream().map(Enum::name).toList());
        options.put("clients", clients.stream().map(BenchClient::name).toList());
        final Map<String, Object> serverJava = new LinkedHashMap<>();
        for (int i = 0; i < javas.size(); i++)
        {
            serverJava.put("jvm" + (i + 1), javas.get(i).toString());
        }
        options.put("serverJava", serverJava);
        results.header("options", options);
    }

    static CommandLine commandLine()
    {
        return new CommandLine(new Bench())
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(Bench::shortUsageError);
    }

    /** A usage error in one line, and where to read more; exit 2. */
    private static int shortUsageError(final CommandLine.ParameterException e, final String[] args)
    {
        final PrintWriter err = e.getCommandLine().getErr();
        err.println("bench: " + e.getMessage() + " (see scripts/bench --help)");
        err.flush();
        return 2;
    }

    public static void main(final String[] args)
    {
        System.exit(commandLine().execute(args));
    }
}
