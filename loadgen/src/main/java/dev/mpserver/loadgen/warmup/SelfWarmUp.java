package dev.mpserver.loadgen.warmup;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.WarmUpSummary;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Warms loadgen's own code before a run measures anything. A fresh JVM runs the engine interpreted
 * until the JIT has compiled it, and a short run (5 000 clients x 10 messages takes well under a
 * second) is then mostly loadgen's warm-up, not the server's speed: issue 16 measured a fresh
 * {@code loadgen run} at 0.73x the C client's messages/s on the same server, a warm one at 1.0x.
 *
 * <p>So, before the real run, the same engine runs the same shape of load (threads, messages per
 * client, pipeline, shard ids, --verify's 'I') closed-loop against a {@link LoopbackProtocolServer}
 * in this process — never against the server under test, whose shards and counters it would touch.
 * Bounded by {@link #BUDGET_NANOS} and the clients asked for; its figures are not part of the
 * report's, only its size and time are told. A warm-up that cannot start or fails leaves the real run
 * as it was, only colder.
 */
public final class SelfWarmUp
{
    /**
     * Clients of the default warm-up (about 1 s): measured before a 5 000 x 10 run, 2 000 left
     * loadgen at 0.87-0.89 of the C client's msgs/s, 5 000 at 0.93 (docs/benchmarks.md).
     */
    public static final int DEFAULT_CONNS = 5000;
    /** The warm-up never takes longer than this (a machine that is slow or busy gets a shorter one). */
    static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_MSGS = 10;
    private static final int JIT_QUIET_POLLS = 3;
    private static final long JIT_POLL_MILLIS = 10;

    private SelfWarmUp()
    {
    }

    /**
     * Waits until the JIT has compiled what the warm-up queued (its total compilation time stands
     * still for {@link #JIT_QUIET_POLLS} polls) or {@code deadline}: compiles still running when the
     * run starts would take a core from it.
     */
    private static void awaitQuietJit(final long deadline) throws InterruptedException
    {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (null == jit || !jit.isCompilationTimeMonitoringSupported())
        {
            return;
        }
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < JIT_QUIET_POLLS && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(JIT_POLL_MILLIS);
            final long now = jit.getTotalCompilationTime();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /**
     * Runs {@code conns} clients shaped as {@code run}'s against an in-process server.
     *
     * @return what it did, or null if {@code conns} is 0 (no warm-up asked for)
     */
    public static WarmUpSummary run(final LoadConfig run, final long conns)
    {
        if (conns <= 0)
        {
            return null;
        }
        final long start = System.nanoTime();
        try (LoopbackProtocolServer server = new LoopbackProtocolServer())
        {
            final LoadConfig warmUp = LoadConfig.builder(server.port())
                .command("warm-up")
                .host("127.0.0.1")
                .threads(run.threads())
                .conns(Math.min(conns, run.conns()))
                .msgs(Math.min(run.msgs(), MAX_MSGS))
                .concurrency(run.concurrency())
                .pipeline(run.pipeline())
                .shardIds(run.shardIds())
                .shards(run.shards())
                .seed(run.seed() ^ 0x5DEECE66DL)
                .verify(run.verify())
                .duration(BUDGET_NANOS, TimeUnit.NANOSECONDS)
                .timeout(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)
                .build();
            final Report report = new LoadGenRun(warmUp).call();
            awaitQuietJit(start + BUDGET_NANOS);
            final String failure = null != report.engineError() ? report.engineError()
                : null != server.failure() ? "its server failed: " + server.failure() : null;
            return new WarmUpSummary(warmUp.conns(), report.ok(), System.nanoTime() - start, failure);
        }
        catch (final IOException | RuntimeException e)
        {
            return new WarmUpSummary(conns, 0, System.nanoTime() - start, e.toString());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new WarmUpSummary(conns, 0, System.nanoTime() - start, "interrupted");
        }
    }
}
