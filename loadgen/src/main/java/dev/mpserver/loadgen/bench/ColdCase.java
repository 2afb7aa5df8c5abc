package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What users meet first: a fresh server next to the same server warm, for each server JVM given
 * with --java (side by side, in turns).
 *
 * <ul>
 *   <li>Burst: a new server process, its first burst of 5 000 x 10, then 4 more (warming), then
 *       the warm burst — for {@code --workers 0} and {@code --workers 2}; and the C server (no JIT:
 *       its second burst is its warm one), the yardstick for both. Under the independent client only (the C client when built): the
 *       figure is the server's cold, and the clients are compared on the same bursts elsewhere.</li>
 *   <li>Open loop, routed ({@code --workers 2 --standby 0}): the first 5 000 clients at 3 000/s after a start;
 *       the same after 4 warming bursts and 1 s alone (warm), and at once again (warm, again: nothing
 *       changed, so its p99 over warm is the bar's own noise, an A/A test); after a reload (SIGHUP, once the new generation is
 *       READY and the old one gone); after a respawn (kill -9 of a worker, once its replacement is
 *       READY). Under both clients. Issue 16 item 3: route p99 after start, reload and respawn ≤ 2x
 *       warm. Then {@code --workers 2} on defaults, which give it a standby: after a start, warm,
 *       after a worker's kill -9 (once the standby is promoted), as the next standby starts, and
 *       after a reload.</li>
 *   <li>The floor of that bar on this machine: the C server (no JIT, nothing to warm), the same
 *       open loop warm and again next to one SCHED_IDLE busy process — the CPU a respawn's
 *       replacement spends in that window (its JVM start and warm-up, about 1 CPU-s) with no server
 *       code at all. On our 2-vCPU VMs that alone raised the C server's p99 1.1-8x (any scheduling
 *       class; docs/benchmarks.md, sixth session), so a respawn's p99/warm is read next to it.</li>
 * </ul>
 */
final class ColdCase implements BenchCase
{
    static final int BURST = 5000;
    static final int MSGS = 10;
    static final int WARMING_BURSTS = 4;
    static final int OPEN_RATE = 3000;
    static final int OPEN_CONNS = 5000;
    private static final long READY_TIMEOUT_MILLIS = 15_000;
    /**
     * One open loop of a repeat.
     *
     * @param key   its figures' prefix in the JSON
     * @param label how the table names it
     * @param warm  the phase its p99 is read against: the same server's warm loop
     * @param waits it waits for the server first (a READY, a promotion, a standby's start), with a ".ready" figure
     */
    private record Phase(String key, String label, String warm, boolean waits)
    {
    }

    private static final List<Phase> PHASES = List.of(
        new Phase("start", "start", "warm", false),
        new Phase("warm", "warm", "warm", false),
        new Phase("warmAgain", "warm, again", "warm", false),
        new Phase("reload", "reload", "warm", true),
        new Phase("respawn", "respawn", "warm", true),
        new Phase("standbyFirst", "start, standby", "standbyWarm", false),
        new Phase("standbyWarm", "warm, standby", "standbyWarm", false),
        new Phase("standbyRespawn", "kill, standby", "standbyWarm", true),
        new Phase("standbyStart", "next standby", "standbyWarm", true),
        new Phase("standbyReload", "reload, standby", "standbyWarm", true));
    private static final int FLOOR_TURNS = 2;
    private static final long FLOOR_SETTLE_MILLIS = 1_000;
    /** The busy process of the floor: bounded by timeout(1) even if the bench dies; SIGTERM ends it. */
    private static final List<String> BUSY_PROCESS = List.of("timeout", "60", "chrt", "--idle", "0", "sh", "-c", "while :; do :; done");

    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final Map<String, Figures> bursts = new LinkedHashMap<>();
        final Map<String, Figures> opens = new LinkedHashMap<>();
        final List<String> burstRows = new ArrayList<>();
        final List<String> openRows = new ArrayList<>();
        final Figures floor = new Figures(ctx.repeat);
        boolean floorFailed = false;
        final int burst = ctx.scaled(BURST);
        final ClientLoad open = ClientLoad.open(ctx.scaled(OPEN_RATE), ctx.scaled(OPEN_CONNS), MSGS);
        for (int r = 0; r < ctx.repeat; r++)
        {
            for (final ServerJava java : ctx.javas)
            {
                final List<ServerShape> shapes = new ArrayList<>();
                if (java == ctx.java() && null != ctx.cServer())
                {
                    shapes.add(ctx.cServer());
                }
                shapes.add(ctx.mpserver("--workers 0", java, "--workers", "0", "--max-clients", ThroughputCase.maxClients(burst)));
                shapes.add(ctx.mpserver("--workers 2", java, "--workers", "2", "--max-clients", ThroughputCase.maxClients(burst)));
                // The bursts are about the server's cold, not about the client: the independent
                // client alone (loadgen and C on the same bursts are compared by throughput and peers).
                final BenchClient independent = ctx.independentClient();
                for (final ServerShape shape : shapes)
                {
                    final String row = (shape.jvm ? ctx.javaName(java) : "-") + "|" + independent.name() + "|" + shape.name;
                    if (!burstRows.contains(row))
                    {
                        burstRows.add(row);
                    }
                    burst(shape, independent, ClientLoad.burst(burst, MSGS), r, bursts.computeIfAbsent(row, k -> new Figures(ctx.repeat)));
                }
                for (final BenchClient client : ctx.clientsInTurn(r))
                {
                    final String row = ctx.javaName(java) + "|" + client.name();
                    if (!openRows.contains(row))
                    {
                        openRows.add(row);
                    }
                    openLoop(ctx, java, client, open, burst, r, opens.computeIfAbsent(row, k -> new Figures(ctx.repeat)));
                }
            }
            if (null != ctx.cServer() && !floorFailed)
            {
                try
                {
                    floor(ctx.cServer(), ctx.independentClient(), open, burst, r, floor);
                }
                catch (final IOException ex)
                {
                    final String why = "cold floor (its busy process runs timeout(1) and chrt(1)): " + ex;
                    ctx.out.println("  skipped: " + why);
                    ctx.results.skipped(why);
                    floorFailed = true;
                }
            }
        }
        printBursts(ctx, burst, burstRows, bursts);
        printOpenLoops(ctx, open, openRows, opens);
        if (null != ctx.cServer() && !floorFailed)
        {
            printFloor(ctx, open, floor);
        }
    }

    /**
     * The C server's open-loop p99 warm, then next to one SCHED_IDLE busy process (see the class
     * comment), in turns, twice each; first a settling second and a discarded open loop, since
     * the previous server's JVMs may still be exiting (a first version measured that: 7-11 ms).
     */
    private static void floor(final ServerShape cServer, final BenchClient client, final ClientLoad open, final int burst, final int r,
        final Figures f) throws Exception
    {
        final double[] alone = new double[FLOOR_TURNS];
        final double[] busy = new double[FLOOR_TURNS];
        try (ServerUnderTest server = cServer.start())
        {
            client.run(server.port(), ClientLoad.burst(burst, MSGS).withSeed(100 + r));
            Thread.sleep(FLOOR_SETTLE_MILLIS);
            client.run(server.port(), open.withSeed(101 + r));
            for (int turn = 0; turn < FLOOR_TURNS; turn++)
            {
                alone[turn] = client.run(server.port(), open.withSeed(2 + r)).routeP99Ms;
                final Process busyProcess = new ProcessBuilder(BUSY_PROCESS).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try
                {
                    busy[turn] = client.run(server.port(), open.withSeed(3 + r)).routeP99Ms;
                }
                finally
                {
                    busyProcess.destroy();
                    busyProcess.waitFor();
                }
            }
        }
        f.set("alone.routeP99Ms", r, mean(alone));
        f.set("busy.routeP99Ms", r, mean(busy));
        f.set("busy.p99OverAlone", r, mean(busy) / mean(alone));
    }

    private static double mean(final double[] values)
    {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static void printFloor(final BenchContext ctx, final ClientLoad open, final Figures f)
    {
        ctx.out.printf(Locale.ROOT, "  floor: the C server, same open loop, warm: p99 %s ms; next to one SCHED_IDLE busy process (what a "
            + "respawn's replacement spends in that window, with no server code): p99 %s ms, %.2fx (each the mean of %d turns); "
            + "medians of %d%n",
            Stats.ms(f.median("alone.routeP99Ms")), Stats.ms(f.median("busy.routeP99Ms")), f.median("busy.p99OverAlone"), FLOOR_TURNS, ctx.repeat);
        f.publish(ctx.results, "cold.open" + Stats.whole(open.rate) + ".floor.c");
    }

    private static void burst(final ServerShape shape, final BenchClient client, final ClientLoad load, final int r, final Figures f)
        throws Exception
    {
        try (ServerUnderTest server = shape.start())
        {
            final ClientResult cold = client.run(server.port(), load.withSeed(1 + r));
            // A native server has no JIT to warm: its second burst is its warm one.
            for (int w = 0; shape.jvm && w < WARMING_BURSTS; w++)
            {
                client.run(server.port(), load.withSeed(100 + r * 10 + w));
            }
            final ClientResult warm = client.run(server.port(), load.withSeed(2 + r));
            f.set("cold.msgsPerSec", r, cold.msgsPerSec());
            f.set("warm.msgsPerSec", r, warm.msgsPerSec());
            f.set("coldOverWarm.msgsPerSec", r, cold.msgsPerSec() / warm.msgsPerSec());
            f.set("cold.connsPerSec90", r, cold.connsPerSec90);
            f.set("warm.connsPerSec90", r, warm.connsPerSec90);
            f.set("cold.routeP99Ms", r, cold.routeP99Ms);
            f.set("warm.routeP99Ms", r, warm.routeP99Ms);
            f.set("cold.notOk", r, cold.notOk());
            f.set("warm.notOk", r, warm.notOk());
        }
    }

    private static void openLoop(final BenchContext ctx, final ServerJava java, final BenchClient client, final ClientLoad open,
        final int burst, final int r, final Figures f) throws Exception
    {
        try (ServerUnderTest server = ctx.mpserver("--workers 2 --standby 0", java, "--workers", "2", "--standby", "0", "--max-clients",
            ThroughputCase.maxClients(burst)).start())
        {
            record(f, "start", r, client.run(server.port(), open.withSeed(1 + r)));

            for (int w = 0; w < WARMING_BURSTS; w++)
            {
                client.run(server.port(), ClientLoad.burst(burst, MSGS).withSeed(100 + r * 10 + w));
            }
            ctx.settleAfterBursts();
            record(f, "warm", r, client.run(server.port(), open.withSeed(2 + r)));
            // The bar's own noise: nothing changed, so its p99 over warm is what chance alone gives.
            record(f, "warmAgain", r, client.run(server.port(), open.withSeed(20 + r)));

            f.set("reload.ready", r, reload(server) ? 1 : 0);
            record(f, "reload", r, client.run(server.port(), open.withSeed(3 + r)));

            final int readyBeforeKill = server.readyWorkers();
            final boolean respawned = server.killOneWorker() > 0 && server.awaitReadyWorkers(readyBeforeKill + 1, READY_TIMEOUT_MILLIS);
            f.set("respawn.ready", r, respawned ? 1 : 0);
            record(f, "respawn", r, client.run(server.port(), open.withSeed(4 + r)));
        }
        standby(ctx, java, client, open, burst, r, f);
        for (final Phase phase : PHASES)
        {
            f.set(phase.key() + ".p99OverWarm", r, f.values(phase.key() + ".routeP99Ms")[r] / f.values(phase.warm() + ".routeP99Ms")[r]);
        }
    }

    /**
     * The same server on defaults, which give it a standby (started --standby-delay, 5 s by
     * default, after the pool is warm): its start, then warmed the same way (its standby warm and
     * waiting); then a worker is killed, and the load starts as soon as the master has reaped it
     * and promoted the standby (a few ms; clients the dying process took are lost with or without a
     * standby). Then the same load again as soon as the next standby starts (the delay later): what
     * its JVM start costs the warm workers. Last, once that standby is warm, a reload (which drains
     * it; the new generation's starts the delay after the switch).
     */
    private static void standby(final BenchContext ctx, final ServerJava java, final BenchClient client, final ClientLoad open,
        final int burst, final int r, final Figures f) throws Exception
    {
        try (ServerUnderTest server = ctx.mpserver("--workers 2", java, "--workers", "2",
            "--max-clients", ThroughputCase.maxClients(burst)).start())
        {
            record(f, "standbyFirst", r, client.run(server.port(), open.withSeed(8 + r)));
            for (int w = 0; w < WARMING_BURSTS; w++)
            {
                client.run(server.port(), ClientLoad.burst(burst, MSGS).withSeed(100 + r * 10 + w));
            }
            ctx.settleAfterBursts();
            final boolean standing = server.awaitWarmStandbys(1, READY_TIMEOUT_MILLIS);
            record(f, "standbyWarm", r, client.run(server.port(), open.withSeed(5 + r)));
            final boolean promoted = standing && server.killOneWorker() > 0 && server.awaitPromotions(1, READY_TIMEOUT_MILLIS);
            f.set("standbyRespawn.ready", r, promoted ? 1 : 0);
            record(f, "standbyRespawn", r, client.run(server.port(), open.withSeed(6 + r)));
            f.set("standbyStart.ready", r, server.awaitStandbysStarted(2, READY_TIMEOUT_MILLIS) ? 1 : 0);
            record(f, "standbyStart", r, client.run(server.port(), open.withSeed(7 + r)));
            f.set("standbyReload.ready", r, server.awaitWarmStandbys(1, READY_TIMEOUT_MILLIS) && reload(server) ? 1 : 0);
            record(f, "standbyReload", r, client.run(server.port(), open.withSeed(9 + r)));
        }
    }

    /** SIGHUP, then until the new generation is READY and the old one (its standby too) has drained and exited. */
    private static boolean reload(final ServerUnderTest server) throws IOException, InterruptedException
    {
        final int readyBefore = server.readyWorkers();
        final List<Long> oldGeneration = server.workerPids();
        server.reload();
        return server.awaitReadyWorkers(readyBefore + 2, READY_TIMEOUT_MILLIS) && awaitGone(server, oldGeneration);
    }

    /** Until none of these workers is left (the old generation has drained and exited). */
    private static boolean awaitGone(final ServerUnderTest server, final List<Long> workers) throws InterruptedException
    {
        final long deadline = System.nanoTime() + READY_TIMEOUT_MILLIS * 1_000_000L;
        while (server.workerPids().stream().anyMatch(workers::contains))
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static void record(final Figures f, final String phase, final int r, final ClientResult result)
    {
        f.set(phase + ".routeP50Ms", r, result.routeP50Ms);
        f.set(phase + ".routeP99Ms", r, result.routeP99Ms);
        f.set(phase + ".routeMaxMs", r, result.routeMaxMs);
        f.set(phase + ".routeFromIntendedP99Ms", r, result.routeFromIntendedP99Ms);
        f.set(phase + ".notOk", r, result.notOk());
    }

    private static void printBursts(final BenchContext ctx, final int burst, final List<String> rows, final Map<String, Figures> figures)
    {
        ctx.out.println();
        ctx.out.println("cold: a new server's first burst of " + burst + " x " + MSGS + " next to its warm one (mpserver: after " + WARMING_BURSTS
            + " more; the C server, no JIT: its second), independent client; medians of " + ctx.repeat);
        ctx.out.printf(Locale.ROOT, "  %-6s %-8s %-12s %10s %10s %10s %10s %10s %10s %10s %7s%n", "JVM", "client", "server",
            "cold msg/s", "warm msg/s", "cold/warm", "cold c/s90", "warm c/s90", "cold p99", "warm p99", "not ok");
        for (final String row : rows)
        {
            final String[] parts = row.split("\\|");
            final Figures f = figures.get(row);
            ctx.out.printf(Locale.ROOT, "  %-6s %-8s %-12s %10s %10s %10.2f %10s %10s %10s %10s %7.0f%n", parts[0], parts[1], parts[2],
                Stats.whole(f.median("cold.msgsPerSec")), Stats.whole(f.median("warm.msgsPerSec")), f.median("coldOverWarm.msgsPerSec"),
                Stats.whole(f.median("cold.connsPerSec90")), Stats.whole(f.median("warm.connsPerSec90")), Stats.ms(f.median("cold.routeP99Ms")),
                Stats.ms(f.median("warm.routeP99Ms")), f.sum("cold.notOk") + f.sum("warm.notOk"));
            f.publish(ctx.results, "cold.burst." + Stats.key(parts[0]) + "." + Stats.key(parts[1]) + "." + Stats.key(parts[2]));
        }
    }

    private static void printOpenLoops(final BenchContext ctx, final ClientLoad open, final List<String> rows, final Map<String, Figures> figures)
    {
        ctx.out.println();
        ctx.out.println("cold: routed (--workers 2 --standby 0), the first " + open.conns + " clients at " + Stats.whole(open.rate) + "/s x "
            + MSGS + " after a start, warm, warm again (what chance alone gives p99/warm), after a reload (SIGHUP), after a respawn (kill -9 of a worker, replacement READY); then "
            + "--workers 2 on defaults (a standby): after a start, warm, after the kill -9 of a worker (once the standby took its "
            + "place), when the next standby starts, and after a reload; "
            + "route ms, medians of "
            + ctx.repeat + " (issue 16: p99 <= 2x warm; a standby phase over its own server's warm)");
        ctx.out.printf(Locale.ROOT, "  %-6s %-8s %-15s %9s %9s %9s %14s %10s %7s%n", "JVM", "client", "after", "p50", "p99", "max",
            "from intended", "p99/warm", "not ok");
        for (final String row : rows)
        {
            final String[] parts = row.split("\\|");
            final Figures f = figures.get(row);
            for (final Phase p : PHASES)
            {
                final String phase = p.key();
                final String ready = p.waits() && f.sum(phase + ".ready") < ctx.repeat
                    ? " (READY, a promotion or a standby's start not seen in time in some repeat)" : "";
                ctx.out.printf(Locale.ROOT, "  %-6s %-8s %-15s %9s %9s %9s %14s %10.2f %7.0f%s%n", parts[0], parts[1], p.label(),
                    Stats.ms(f.median(phase + ".routeP50Ms")), Stats.ms(f.median(phase + ".routeP99Ms")),
                    Stats.ms(f.median(phase + ".routeMaxMs")), Stats.ms(f.median(phase + ".routeFromIntendedP99Ms")),
                    f.median(phase + ".p99OverWarm"), f.sum(phase + ".notOk"), ready);
            }
            f.publish(ctx.results, "cold.open" + Stats.whole(open.rate) + "." + Stats.key(parts[0]) + "." + Stats.key(parts[1]));
        }
    }
}
