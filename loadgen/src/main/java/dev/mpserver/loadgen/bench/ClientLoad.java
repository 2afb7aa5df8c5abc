package dev.mpserver.loadgen.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.mpserver.loadgen.config.ArrivalSchedule;
import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.ids.ShardIds;

/**
 * One client run of a bench case, said once and handed to either client: loadgen (in-process or as
 * a command) or the C client. Each connection sends {@code 'C'} + its first {@code 'M'} in one
 * write (no {@code 'C'} when not routed), then its messages one at a time. Closed loop: all
 * connections at once. Open loop: connection n is due at n / rate s. Immutable; {@link #withSeed},
 * {@link #withIdentify} and {@link #notRouted} return a changed copy.
 */
final class ClientLoad
{
    /** Random shard ids are drawn from [0, SHARDS): nearly every client of a run has a new shard. */
    static final int SHARDS = 100_000;
    /**
     * No progress for this long while waiting for the server: the client is lost. Long enough for a
     * SYN dropped by a full backlog to be sent again twice (1 s, then 3 s), short enough that a
     * server that loses clients does not hold the bench up for long.
     */
    static final double TIMEOUT_SECONDS = 5;
    /** Hard stop of one client run; no run of the bench comes near it unless something is wrong. */
    static final double DURATION_SECONDS = 120;

    final long conns;
    final int msgs;
    final double rate;
    final boolean routed;
    final long seed;
    final boolean identify;

    private ClientLoad(final long conns, final int msgs, final double rate, final boolean routed,
        final long seed, final boolean identify)
    {
        this.conns = conns;
        this.msgs = msgs;
        this.rate = rate;
        this.routed = routed;
        this.seed = seed;
        this.identify = identify;
    }

    /** Closed loop: {@code conns} clients connecting at once, {@code msgs} messages each, random shards. */
    static ClientLoad burst(final long conns, final int msgs)
    {
        return new ClientLoad(conns, msgs, 0, true, 1, false);
    }

    /** Open loop: {@code conns} clients at {@code rate} per second, {@code msgs} messages each, random shards. */
    static ClientLoad open(final double rate, final long conns, final int msgs)
    {
        return new ClientLoad(conns, msgs, rate, true, 1, false);
    }

    ClientLoad withSeed(final long newSeed)
    {
        return new ClientLoad(conns, msgs, rate, routed, newSeed, identify);
    }

    /** 'I' after the last reply: which worker served each client, and so whether any shard was split. */
    ClientLoad withIdentify()
    {
        return new ClientLoad(conns, msgs, rate, routed, seed, true);
    }

    /** No 'C': every client is served where it was accepted. */
    ClientLoad notRouted()
    {
        return new ClientLoad(conns, msgs, rate, false, seed, identify);
    }

    boolean isOpenLoop()
    {
        return rate > 0;
    }

    /** "burst 5000 x 10", "open 3000/s x 10 (6000)". */
    String describe()
    {
        return isOpenLoop()
            ? String.format(Locale.ROOT, "open %.0f/s x %d (%d)", rate, msgs, conns)
            : String.format(Locale.ROOT, "burst %d x %d", conns, msgs);
    }

    /** The same load for in-process loadgen. */
    LoadConfig toLoadConfig(final int port)
    {
        final LoadConfig.Builder builder = LoadConfig.builder(port).conns(conns).msgs(msgs)
            .shardIds(routed ? ShardIds.random() : ShardIds.none()).shards(SHARDS).seed(seed).verify(identify)
            .duration(Math.round(DURATION_SECONDS * 1000), TimeUnit.MILLISECONDS)
            .timeout(Math.round(TIMEOUT_SECONDS * 1000), TimeUnit.MILLISECONDS);
        if (isOpenLoop())
        {
            builder.arrivals(ArrivalSchedule.constantRate(rate));
        }
        return builder.build();
    }

    /** The same load as arguments of {@code scripts/loadgen run} (after "run"). */
    List<String> toLoadGenArguments(final int port)
    {
        return arguments(port, "--verify");
    }

    /** The same load as arguments of the C client ({@code scripts/reference/epoll_client.c}). */
    List<String> toEpollClientArguments(final int port)
    {
        return arguments(port, "--identify");
    }

    /** Both command lines take the same options (a plain number of seconds is a duration to both), but for 'I'. */
    private List<String> arguments(final int port, final String identifyOption)
    {
        final List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--conns", Long.toString(conns),
            "--msgs", Integer.toString(msgs), "--ids", routed ? "random" : "none", "--shards", Integer.toString(SHARDS),
            "--seed", Long.toString(seed), "--duration", plain(DURATION_SECONDS), "--timeout", plain(TIMEOUT_SECONDS)));
        if (isOpenLoop())
        {
            args.addAll(List.of("--rate", plain(rate)));
        }
        if (identify)
        {
            args.add(identifyOption);
        }
        return args;
    }

    private static String plain(final double value)
    {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
