package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.ids.ShardIds;
import dev.mpserver.loadgen.warmup.SelfWarmUp;
import dev.mpserver.protocol.cli.DurationConverter;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Options shared by {@code run} and {@code storm}. */
public final class CommonOptions
{
    @Option(names = "--host", order = 1, paramLabel = "HOST", defaultValue = LoadConfig.DEFAULT_HOST,
        description = "Server address. Must be a loopback address (127.0.0.0/8, ::1, localhost) unless "
            + "--allow-remote is given. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", order = 2, paramLabel = "PORT", required = true, description = "Server port (required).")
    int port;

    @Option(names = "--allow-remote", order = 3,
        description = "Allow a --host that is not a loopback address. Our policy is loopback-only testing: "
            + "only use this against a machine you own and may load.")
    boolean allowRemote;

    @Option(names = "--threads", order = 22, paramLabel = "N", defaultValue = "" + LoadConfig.DEFAULT_THREADS,
        description = "Event-loop threads (each an epoll set over many connections; never a thread per "
            + "connection). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--concurrency", order = 20, paramLabel = "N",
        description = "Most connections open at once (all threads together). A connection whose start is "
            + "due waits for a free place; with a --rate that wait counts in 'connect (from intended start)'. "
            + "Default: --conns.")
    Integer concurrency;

    @Option(names = "--pipeline", order = 21, paramLabel = "K", defaultValue = "1",
        description = "Messages in flight per connection. Default: ${DEFAULT-VALUE} (one at a time).")
    int pipeline;

    @Option(names = "--ids", order = 30, paramLabel = "SPEC", defaultValue = "random", converter = ShardIdsConverter.class,
        description = "Shard id each connection sends in its 'C' frame: random (uniform over --shards), "
            + "fixed:K, range:A-B (connection n uses A + n mod (B-A+1): every id equally), list:A,B,C (the same, over "
            + "the ids listed), zipf:S (Zipf exponent "
            + "S over --shards; id 0 hottest, then 1, 2, …; S=1 gives a few hot shards and many cold ones), "
            + "none (no 'C': each client stays where it was accepted, the not-routed baseline). Default: ${DEFAULT-VALUE}.")
    ShardIds ids;

    @Option(names = "--shards", order = 31, paramLabel = "N", defaultValue = "" + LoadConfig.DEFAULT_SHARDS,
        description = "Size of the shard id space [0, N) for random and zipf. Default: ${DEFAULT-VALUE}.")
    int shards;

    @Option(names = "--seed", order = 32, paramLabel = "N",
        description = "Seed for random and zipf ids (printed in the report, so a run can be repeated). "
            + "Default: from the clock.")
    Long seed;

    @Option(names = "--duration", order = 40, paramLabel = "TIME", defaultValue = "300s", converter = DurationConverter.class,
        description = "Hard stop: connections still open are cut off, later ones never start. "
            + "Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--timeout", order = 41, paramLabel = "TIME", defaultValue = "10s", converter = DurationConverter.class,
        description = "A connection that waits this long for the server without any progress (connect, a "
            + "reply, the socket taking our bytes) fails with 'timeout'. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--hold", order = 42, paramLabel = "TIME", defaultValue = "0s", converter = DurationConverter.class,
        description = "Keep each connection open this long after its last reply (and 'I' reply), so that "
            + "clients overlap in time. Default: ${DEFAULT-VALUE}.")
    Duration hold;

    @Option(names = "--verify", order = 50,
        description = "After its messages each connection sends 'I' and records the worker pid and shard of the "
            + "reply. The report counts split shards (clients of one shard on more than one pid; must be 0) and "
            + "clients whose reply names another shard than the one they sent (must be 0). A shard that the "
            + "server forgot after --shard-ttl and placed anew counts as split: keep clients overlapping "
            + "(--hold, --concurrency) or the server's TTL longer than the run.")
    boolean verify;

    @Option(names = "--expect-all", order = 51,
        description = "Exit with status 1 unless every connection ended ok (none shed, failed, cut off or "
            + "not started) and, with --verify, routing was correct for all of them.")
    boolean expectAll;

    @Option(names = "--json", order = 60, paramLabel = "FILE",
        description = "Also write the whole report as JSON: every figure of the table, the full histograms, "
            + "the per-second timeline.")
    Path json;

    @Option(names = "--html", order = 60, paramLabel = "FILE",
        description = "Also write a self-contained HTML page (no network needed to open it): latency percentile curves, "
            + "rates and failures over time, the routing table (with --verify).")
    Path html;

    @Option(names = "--warm-up", order = 55, paramLabel = "CONNS", defaultValue = "" + SelfWarmUp.DEFAULT_CONNS,
        description = "Before the run, loadgen warms its own code: this many clients of the run's shape (threads, "
            + "messages, pipeline, ids, --verify) against a small server inside loadgen (127.0.0.1, never the server "
            + "under test), at most 3 s, not counted in any figure. A fresh JVM otherwise runs its first second "
            + "interpreted and measures itself more than the server. 0 skips it. Default: ${DEFAULT-VALUE}.")
    long warmUp;

    @Option(names = "--progress", order = 61, paramLabel = "MODE", defaultValue = "auto",
        description = "Progress line on stderr each second: ${COMPLETION-CANDIDATES}. auto rewrites one line in place "
            + "when stderr is a terminal and prints plain lines otherwise. Default: ${DEFAULT-VALUE}.")
    ProgressMode progress;

    /** @return a complaint about these options that the config cannot see, or null. */
    String check()
    {
        if (warmUp < 0)
        {
            return "--warm-up must be >= 0, got " + warmUp;
        }
        if (concurrency != null && concurrency < 1)
        {
            return "--concurrency must be >= 1, got " + concurrency;
        }
        return null;
    }

    /** Fill the builder with these options; the command adds its own. */
    LoadConfig.Builder toBuilder(final String command, final long conns, final int msgs)
    {
        final LoadConfig.Builder b = LoadConfig.builder(port)
            .command(command)
            .host(host)
            .allowRemote(allowRemote)
            .threads(threads)
            .conns(conns)
            .msgs(msgs)
            .concurrency(concurrency == null ? 0 : concurrency)
            .pipeline(pipeline)
            .shardIds(ids)
            .shards(shards)
            .duration(duration.toNanos(), TimeUnit.NANOSECONDS)
            .timeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
            .hold(hold.toNanos(), TimeUnit.NANOSECONDS)
            .verify(verify)
            .expectAll(expectAll);
        if (seed != null)
        {
            b.seed(seed);
        }
        return b;
    }
}
