package dev.mpserver.loadgen.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.counters.RunDirCounters;
import dev.mpserver.protocol.counters.WorkerCounter;

/**
 * Issue 12's overload case, on default options ({@code --workers 2} and nothing else), each
 * scenario on a fresh server: open loops of 6 000 and 10 000 connections/s x 10 messages for 2 s,
 * and three bursts of 5 000 x 10 back to back on one server. Per run: clients failed (must be 0;
 * the C client's count is the independent truth), 'E' replies by code as the clients read them,
 * the server's own 'E' counters and spawns (its counters files, as {@code mpserver stat} reads
 * them), route p99, and, from an 'I' at the end of every client, shards served by more than one worker
 * over the run and (C client) shards whose clients were in two workers at once (must be 0).
 */
final class OverloadCase implements BenchCase
{
    static final int MSGS = 10;
    static final int OPEN_SECONDS = 2;
    static final int[] RATES = {6000, 10000};
    static final int BURST = 5000;
    static final int BURSTS = 3;
    /**
     * Once per client, whatever --repeat says: the figures are counts that must be 0, not medians, and
     * a server that loses clients holds each run up by the clients' timeout.
     */
    static final int REPEAT = 1;
    /** Server counters named "E<code> ..." (master and workers): what the server says it refused, by code. */
    private static final Pattern ERROR_LABEL = Pattern.compile("^E(\\d+)\\b");

    @Override
    public void run(final BenchContext ctx) throws Exception
    {
        final ServerShape defaults = ctx.mpserver("--workers 2 (defaults)", "--workers", "2");
        final Map<String, Figures> rows = new LinkedHashMap<>();
        final List<String> order = new ArrayList<>();
        for (int r = 0; r < REPEAT; r++)
        {
            for (final BenchClient client : ctx.clientsInTurn(r))
            {
                for (final int fullRate : RATES)
                {
                    final int rate = ctx.scaled(fullRate);
                    try (ServerUnderTest server = defaults.start())
                    {
                        final String step = String.format(Locale.ROOT, "open %d/s x %d, %d s", rate, MSGS, OPEN_SECONDS);
                        measure(ctx, server, client, ClientLoad.open(rate, (long)rate * OPEN_SECONDS, MSGS).withSeed(1 + r).withIdentify(), step, r, rows,
                            order);
                    }
                }
                try (ServerUnderTest server = defaults.start())
                {
                    for (int b = 1; b <= BURSTS; b++)
                    {
                        final String step = String.format(Locale.ROOT, "burst %d of %d, %d x %d", b, BURSTS, ctx.scaled(BURST), MSGS);
                        measure(ctx, server, client, ClientLoad.burst(ctx.scaled(BURST), MSGS).withSeed(10 * r + b).withIdentify(), step, r, rows, order);
                    }
                }
            }
        }

        ctx.out.println();
        ctx.out.println("overload (issue 12): default options (--workers 2), a fresh server per open loop and for the 3 bursts, once per "
            + "client; 'failed' must be 0. Every client ends with 'I': '>1 worker' = shards served by more than one worker over the run "
            + "(moved once empty, or split), 'split' = shards whose clients were in two workers at once (C client; must be 0). conns/s = "
            + "starts achieved (below the target: the client fell behind); 'intended' = route p99 from each client's due time (C client)");
        ctx.out.printf(Locale.ROOT, "  %-26s %-8s %8s %7s %-28s %-22s %-22s %6s %9s %10s %10s %9s %6s%n", "run", "client", "ok", "failed",
            "failed by kind", "'E' read by clients", "server 'E' counters", "spawns", "conns/s", "route p99", "intended", ">1 worker", "split");
        for (final String row : order)
        {
            final Figures f = rows.get(row);
            final String[] parts = row.split("\\|");
            ctx.out.printf(Locale.ROOT, "  %-26s %-8s %8.0f %7.0f %-28s %-22s %-22s %6.0f %9s %10s %10s %9.0f %6s%n", parts[0], parts[1], f.sum("ok"),
                f.sum("failed"), ClientResult.failureText(f), codesText(f, "shed.E"), serverErrorText(f), f.sum("spawns"),
                Stats.whole(f.median("achievedRate")), Stats.ms(f.median("routeP99Ms")), Stats.ms(f.median("routeFromIntendedP99Ms")),
                f.sum("severalWorkers"), Stats.whole(f.median("splitShards")));
            f.publish(ctx.results, "overload." + Stats.key(parts[0]) + "." + Stats.key(parts[1]));
        }
    }

    private static void measure(final BenchContext ctx, final ServerUnderTest server, final BenchClient client, final ClientLoad load,
        final String step, final int r, final Map<String, Figures> rows, final List<String> order)
        throws Exception
    {
        final RunDirCounters before = server.counters();
        final ClientResult result = client.run(server.port(), load);
        final RunDirCounters after = server.counters();
        final String row = step + "|" + client.name();
        if (!order.contains(row))
        {
            order.add(row);
        }
        final Figures f = rows.computeIfAbsent(row, k -> new Figures(REPEAT));
        f.set("ok", r, result.ok);
        f.set("failed", r, result.failed);
        f.set("notOk", r, result.notOk());
        result.setLosses(f, r);
        for (int code = 0; code < ClientResult.ERROR_CODES; code++)
        {
            if (result.shedByCode[code] > 0)
            {
                f.set("shed.E" + code, r, result.shedByCode[code]);
            }
        }
        f.set("spawns", r, after.master(MasterCounter.SPAWNS) - before.master(MasterCounter.SPAWNS));
        f.set("handoffsReturned", r, after.master(MasterCounter.HANDOFFS_RETURNED) - before.master(MasterCounter.HANDOFFS_RETURNED));
        for (final Map.Entry<Integer, Long> e : serverErrors(after).entrySet())
        {
            final long was = serverErrors(before).getOrDefault(e.getKey(), 0L);
            f.set("server.E" + e.getKey(), r, e.getValue() - was);
        }
        f.set("routeP99Ms", r, result.routeP99Ms);
        f.set("routeFromIntendedP99Ms", r, result.routeFromIntendedP99Ms);
        f.set("achievedRate", r, load.isOpenLoop() ? result.achievedRate : Double.NaN);
        f.set("severalWorkers", r, result.severalWorkers);
        f.set("splitShards", r, result.splitShards < 0 ? Double.NaN : result.splitShards);
    }

    /** Every counter labelled "E<code> …", master's and workers' (live and exited), summed by code. */
    static Map<Integer, Long> serverErrors(final RunDirCounters counters)
    {
        final Map<Integer, Long> byCode = new TreeMap<>();
        for (final MasterCounter counter : MasterCounter.values())
        {
            final Matcher m = ERROR_LABEL.matcher(counter.label());
            if (m.find() && !counter.isGauge())
            {
                byCode.merge(Integer.parseInt(m.group(1)), counters.master(counter), Long::sum);
            }
        }
        for (final WorkerCounter counter : WorkerCounter.values())
        {
            final Matcher m = ERROR_LABEL.matcher(counter.label());
            if (m.find() && !counter.isGauge())
            {
                byCode.merge(Integer.parseInt(m.group(1)), counters.total(counter), Long::sum);
            }
        }
        return byCode;
    }

    /** "E2 17, E3 1" from the figures prefix + code, summed over repeats; "-" if none. */
    private static String codesText(final Figures f, final String prefix)
    {
        final StringBuilder text = new StringBuilder();
        for (int code = 0; code < ClientResult.ERROR_CODES; code++)
        {
            final double n = f.sum(prefix + code);
            if (n > 0)
            {
                text.append(text.length() == 0 ? "" : ", ").append('E').append(code).append(' ').append(String.format(Locale.ROOT, "%.0f", n));
            }
        }
        return text.length() == 0 ? "-" : text.toString();
    }

    private static String serverErrorText(final Figures f)
    {
        final String errors = codesText(f, "server.E");
        final double returned = f.sum("handoffsReturned");
        if (returned <= 0)
        {
            return errors;
        }
        return ("-".equals(errors) ? "" : errors + ", ") + String.format(Locale.ROOT, "returned %.0f", returned);
    }
}
