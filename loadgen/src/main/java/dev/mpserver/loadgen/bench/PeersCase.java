package dev.mpserver.loadgen.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16's table as a case: the same loads, warm, on every server — the C epoll server, mpserver
 * {@code --workers 0}, mpserver {@code --workers 2} (routed), and the prototype (2 workers) — under
 * both clients: open loops of 1 000 and 3 000 connections/s (route p50/p99), then a burst of
 * 5 000 clients (connections/s until 90 % done), each client 10 messages one at a time, random shards.
 * JVM servers are first warmed by 5 bursts of 5 000 x 10, then left alone for
 * {@link BenchContext#SETTLE_AFTER_BURSTS_MILLIS}; the native ones need no warming.
 *
 * <p>In each repeat every server is up at once, and each load goes to the servers in turn
 * (reversed every other repeat): the figures a ratio compares were measured seconds apart, not
 * minutes. On our shared 2-vCPU machines the noise drifts over minutes (the C client's own connect
 * p99, which no server code takes part in, moved 81–434 µs between loops of one run), and one server
 * after another put that drift into the ratios. Each burst is followed by the same pause, so the
 * next server is not charged with the last one's closes.
 * In every repeat, beside the servers, {@link WakeFloor} measures at each open loop's rate what the
 * design's extra wake-ups alone add to a routed round trip on this machine, on any CPU and with
 * every process on one CPU (how much of it is wake-ups that cross CPUs).
 */
final class PeersCase implements BenchCase
{
    static final int BURST = 5000;
    static final int MSGS = 10;
    static final int WARM_UP_BURSTS = 5;
    /** Each open loop lasts this long: 2 000 and 6 000 clients, enough for a p99 of each. */
    static final int OPEN_LOOP_SECONDS = 2;
    private static final int[] RATES = {1000, 3000};

    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final int burst = ctx.scaled(BURST);
        ctx.out.println();
        ctx.out.println("peers (issue 16's table): every server warm (JVMs after " + WARM_UP_BURSTS + " bursts of " + burst + " x " + MSGS
            + " and " + ctx.settleMillis() + " ms alone), all up at once and taking each load in turn; open loops of " + OPEN_LOOP_SECONDS + " s, then a burst of " + burst + ", " + MSGS + " messages per client; medians of "
            + ctx.repeat + "; mpserver with --max-clients " + ThroughputCase.maxClients(burst) + " (issue 12)");
        final List<ServerShape> shapes = new ArrayList<>();
        addIfBuilt(ctx, shapes, ctx.cServer(), "C server");
        final ServerShape single = ctx.mpserver("--workers 0", "--workers", "0", "--max-clients", ThroughputCase.maxClients(burst));
        final ServerShape routed = ctx.mpserver("--workers 2", "--workers", "2", "--max-clients", ThroughputCase.maxClients(burst));
        // Every new shard through the master, as before workers took shards themselves: what a client pays to cross it.
        final ServerShape crossing = ctx.mpserver("--placement master", "--workers", "2", "--placement", "master",
            "--max-clients", ThroughputCase.maxClients(burst));
        shapes.add(single);
        shapes.add(routed);
        shapes.add(crossing);
        addIfBuilt(ctx, shapes, ctx.prototype(), "prototype");
        // The open loops first, the burst last: the prototype's master exits under a burst of 5 000
        // (sendmsg EAGAIN on a full channel is fatal to it), and would then have no open-loop figures.
        final List<ClientLoad> loads = new ArrayList<>();
        for (final int fullRate : RATES)
        {
            final int rate = ctx.scaled(fullRate);
            loads.add(ClientLoad.open(rate, (long)rate * OPEN_LOOP_SECONDS, MSGS));
        }
        loads.add(ClientLoad.burst(burst, MSGS));

        final Map<String, Figures> rows = new LinkedHashMap<>();
        // A server that dies under a load loses every later client of its run: say so, or its
        // column reads as if it had lost them one by one.
        final Map<String, List<String>> exits = new LinkedHashMap<>();
        final Map<String, Figures> floors = new LinkedHashMap<>();
        for (int r = 0; r < ctx.repeat; r++)
        {
            measureFloors(ctx, loads, floors, r);
            final List<ServerUnderTest> servers = new ArrayList<>();
            try
            {
                for (final ServerShape shape : shapes)
                {
                    servers.add(shape.start());
                }
                for (int s = 0; s < shapes.size(); s++)
                {
                    if (shapes.get(s).jvm)
                    {
                        for (int w = 0; w < WARM_UP_BURSTS; w++)
                        {
                            ctx.warmUpClient().run(servers.get(s).port(), ClientLoad.burst(burst, MSGS).withSeed(1000 + r * 10 + w));
                        }
                    }
                }
                ctx.settleAfterBursts();
                final boolean[] exited = new boolean[shapes.size()];
                final List<Integer> shapeIndexes = new ArrayList<>();
                for (int s = 0; s < shapes.size(); s++)
                {
                    shapeIndexes.add(s);
                }
                for (final ClientLoad load : loads)
                {
                    for (final BenchClient client : ctx.clientsInTurn(r))
                    {
                        for (final int s : BenchContext.inTurn(shapeIndexes, r))
                        {
                            final ServerShape shape = shapes.get(s);
                            final ServerUnderTest server = servers.get(s);
                            final ClientResult result = client.run(server.port(), load.withSeed(1 + r));
                            if (!load.isOpenLoop())
                            {
                                ctx.settleAfterBursts(); // the next server is not charged with this one's ~5 000 closes
                            }
                            final Figures f = rows.computeIfAbsent(row(shape, client, load), k -> new Figures(ctx.repeat));
                            f.set("connsPerSec90", r, result.connsPerSec90);
                            // A run in which no client ended ok has no latency (its histograms are empty, not 0 ms).
                            final double served = result.ok > 0 ? 1 : Double.NaN;
                            f.set("routeP50Ms", r, served * result.routeP50Ms);
                            f.set("routeP99Ms", r, served * result.routeP99Ms);
                            f.set("routeFromIntendedP99Ms", r, served * result.routeFromIntendedP99Ms);
                            f.set("messageP99Ms", r, served * result.messageP99Ms);
                            f.set("notOk", r, result.notOk());
                            result.setLosses(f, r);
                            if (!exited[s] && server.exitStatus() >= 0)
                            {
                                exited[s] = true;
                                exits.computeIfAbsent(shape.name, k -> new ArrayList<>()).add(String.format(Locale.ROOT,
                                    "run %d, during %s under %s (exit status %d)", r + 1, load.describe(), client.name(),
                                    server.exitStatus()));
                            }
                        }
                    }
                }
            }
            finally
            {
                for (final ServerUnderTest server : servers)
                {
                    server.close();
                }
            }
        }

        ctx.out.printf(Locale.ROOT, "  %-22s %-8s %-22s %10s %11s %11s %14s %11s %8s%n", "server", "client", "load", "conns/s90",
            "route p50", "route p99", "from intended", "msg p99 ms", "not ok");
        for (final ServerShape shape : shapes)
        {
            for (final ClientLoad load : loads)
            {
                for (final BenchClient client : ctx.clients())
                {
                    final Figures f = rows.get(row(shape, client, load));
                    ctx.out.printf(Locale.ROOT, "  %-22s %-8s %-22s %10s %11s %11s %14s %11s %8.0f%n", shape.name, client.name(),
                        load.describe(), load.isOpenLoop() ? "" : Stats.whole(f.median("connsPerSec90")), Stats.ms(f.median("routeP50Ms")),
                        Stats.ms(f.median("routeP99Ms")), Stats.ms(f.median("routeFromIntendedP99Ms")), Stats.ms(f.median("messageP99Ms")),
                        f.sum("notOk"));
                    f.publish(ctx.results, "peers." + shape.key() + "." + Stats.key(client.name()) + "." + loadKey(load));
                }
            }
        }
        for (final BenchClient client : ctx.clients())
        {
            table(ctx, shapes, loads, rows, client);
        }
        routedOverSingle(ctx, single, routed, "routed", "routed / single-process", loads, rows, floors);
        routedOverSingle(ctx, single, crossing, "crossing", "--placement master (every client crosses the master) / single-process", loads,
            rows, null);
        for (final ServerShape shape : shapes)
        {
            for (final ClientLoad load : loads)
            {
                for (final BenchClient client : ctx.clients())
                {
                    final Figures f = rows.get(row(shape, client, load));
                    if (f.sum("notOk") > 0)
                    {
                        ctx.out.printf(Locale.ROOT, "  %s, %s, %s: %.0f clients not ok over %d runs (%s)%n", shape.name, client.name(),
                            load.describe(), f.sum("notOk"), ctx.repeat, ClientResult.lossText(f));
                    }
                }
            }
        }
        for (final ServerShape shape : shapes)
        {
            final List<String> runs = exits.getOrDefault(shape.name, List.of());
            ctx.results.put("peers." + shape.key() + ".exitedRuns", runs.size());
            if (!runs.isEmpty())
            {
                ctx.out.println("  " + shape.name + " EXITED in " + runs.size() + " of " + ctx.repeat + " runs, losing every later client of "
                    + "the run: " + String.join("; ", runs));
            }
        }
    }

    /**
     * This repeat's bare wake-up chain at each open loop's rate, on any CPU and then all on one:
     * {@code rate} round trips per shape, 1 s each.
     */
    private static void measureFloors(final BenchContext ctx, final List<ClientLoad> loads, final Map<String, Figures> floors,
        final int r) throws Exception
    {
        if (null == ctx.peers.wakeChain())
        {
            return;
        }
        for (final ClientLoad load : loads)
        {
            if (load.isOpenLoop())
            {
                final Figures f = floors.computeIfAbsent(loadKey(load), k -> new Figures(ctx.repeat));
                final int trips = Math.max(100, (int)load.rate);
                final WakeFloor anyCpu = WakeFloor.measure(ctx.peers.wakeChain(), (int)load.rate, trips, WakeFloor.ANY_CPU);
                f.set("directP99Ms", r, anyCpu.directP99Ms);
                f.set("routedP99Ms", r, anyCpu.routedP99Ms);
                f.set("ratio", r, anyCpu.ratio());
                final WakeFloor oneCpu = WakeFloor.measure(ctx.peers.wakeChain(), (int)load.rate, trips, WakeFloor.ONE_CPU);
                f.set("oneCpu.directP99Ms", r, oneCpu.directP99Ms);
                f.set("oneCpu.routedP99Ms", r, oneCpu.routedP99Ms);
                f.set("oneCpu.ratio", r, oneCpu.ratio());
            }
        }
    }

    /**
     * Issue 16 item 2 (routed route p99 at most 2x single-process's), per client, with what routing
     * adds to the p99 (routed minus single-process), next to what the design's extra wake-ups alone
     * add on this machine.
     */
    private static void routedOverSingle(final BenchContext ctx, final ServerShape single, final ServerShape routed, final String key,
        final String title, final List<ClientLoad> loads, final Map<String, Figures> rows, final Map<String, Figures> floors)
    {
        for (final ClientLoad load : loads)
        {
            if (!load.isOpenLoop())
            {
                continue;
            }
            final StringBuilder line = new StringBuilder();
            for (final BenchClient client : ctx.clients())
            {
                final double[] routedP99 = rows.get(row(routed, client, load)).values("routeP99Ms");
                final double[] singleP99 = rows.get(row(single, client, load)).values("routeP99Ms");
                final double[] perRepeat = Stats.perRepeat(routedP99, singleP99);
                final double median = Stats.median(perRepeat);
                final double[] added = new double[routedP99.length];
                for (int r = 0; r < added.length; r++)
                {
                    added[r] = routedP99[r] - singleP99[r];
                }
                ctx.results.put("peers.ratio." + key + "OverSingle." + Stats.key(client.name()) + "." + loadKey(load), median, perRepeat);
                ctx.results.put("peers." + key + "AddsP99Ms." + Stats.key(client.name()) + "." + loadKey(load), Stats.median(added), added);
                line.append(line.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f [%s] (+%s ms)", client.name(), median,
                    Stats.list(perRepeat), Stats.ms(Stats.median(added))));
            }
            final Figures floor = null == floors ? null : floors.get(loadKey(load));
            if (null != floor)
            {
                floor.publish(ctx.results, "peers.wakeFloor." + loadKey(load));
                line.append("; the extra wake-ups alone (wake_chain.c, no server work): ").append(chain(floor, ""))
                    .append("; the same chain with every process on one CPU: ").append(chain(floor, "oneCpu."));
            }
            ctx.out.printf(Locale.ROOT, "  %s route p99, open %.0f/s (median of per-repeat ratios; issue 16: <= 2): %s%n",
                title, load.rate, line);
        }
    }

    /** One wake-up chain's medians: direct and routed p99, what the routed one adds, their ratio. */
    private static String chain(final Figures floor, final String prefix)
    {
        final double direct = floor.median(prefix + "directP99Ms");
        final double routed = floor.median(prefix + "routedP99Ms");
        return String.format(Locale.ROOT, "direct p99 %s ms, routed %s ms (+%s ms, %.2fx [%s])", Stats.ms(direct), Stats.ms(routed),
            Stats.ms(routed - direct), floor.median(prefix + "ratio"), Stats.list(floor.values(prefix + "ratio")));
    }

    private static void addIfBuilt(final BenchContext ctx, final List<ServerShape> shapes, final ServerShape shape, final String name)
    {
        if (null == shape)
        {
            ctx.out.println("  (" + name + " skipped: not built; see the start of the output)");
            ctx.results.skipped("peers: " + name + " not built");
            return;
        }
        shapes.add(shape);
    }

    /** The issue's own layout: one column per server, one line per figure. */
    private static void table(final BenchContext ctx, final List<ServerShape> shapes, final List<ClientLoad> loads,
        final Map<String, Figures> rows, final BenchClient client)
    {
        ctx.out.printf(Locale.ROOT, "  issue 16's table, %s client (medians; 'route' = 'C'+first 'M' written -> first reply):%n", client.name());
        final StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "    %-36s", "case"));
        for (final ServerShape shape : shapes)
        {
            header.append(String.format(Locale.ROOT, " %22s", shape.name));
        }
        ctx.out.println(header);
        for (final ClientLoad load : loads)
        {
            if (!load.isOpenLoop())
            {
                line(ctx, "burst " + load.conns + ": conns done/s until 90 %", shapes, rows, client, load, "connsPerSec90", false);
            }
        }
        for (final ClientLoad load : loads)
        {
            if (!load.isOpenLoop())
            {
                continue;
            }
            final String rate = String.format(Locale.ROOT, "open %.0f/s", load.rate);
            line(ctx, rate + ": route p99 ms", shapes, rows, client, load, "routeP99Ms", true);
            line(ctx, rate + ": route p50 ms", shapes, rows, client, load, "routeP50Ms", true);
        }
    }

    private static void line(final BenchContext ctx, final String label, final List<ServerShape> shapes, final Map<String, Figures> rows,
        final BenchClient client, final ClientLoad load, final String figure, final boolean millis)
    {
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "    %-36s", label));
        for (final ServerShape shape : shapes)
        {
            final Figures f = rows.get(row(shape, client, load));
            final double value = f.median(figure);
            final String lost = f.sum("notOk") > 0 ? String.format(Locale.ROOT, " (%.0f lost)", f.sum("notOk")) : "";
            text.append(String.format(Locale.ROOT, " %22s", (millis ? Stats.ms(value) : Stats.whole(value)) + lost));
        }
        ctx.out.println(text);
    }

    private static String row(final ServerShape shape, final BenchClient client, final ClientLoad load)
    {
        return shape.name + "|" + client.name() + "|" + load.describe();
    }

    /** "burst5000", "open1000". */
    private static String loadKey(final ClientLoad load)
    {
        return load.isOpenLoop() ? String.format(Locale.ROOT, "open%.0f", load.rate) : "burst" + load.conns;
    }
}
