package dev.mpserver.loadgen.engine;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.ProgressSample;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.StopReason;
import dev.mpserver.loadgen.report.VerifyResult;
import dev.mpserver.loadgen.server.ServerCounter;
import dev.mpserver.loadgen.server.ServerCountersSnapshot;
import dev.mpserver.loadgen.server.ServerCountersView;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * One load run, in process: build a {@link LoadConfig}, call {@link #call()}, read the {@link Report}.
 * The calling thread coordinates (samples progress once a second); the engine threads it starts are
 * all finished when {@code call()} returns, and the run always ends by itself (connections and messages
 * are finite, every wait for the server is bounded by --timeout, and --duration is a hard stop).
 *
 * <pre>{@code
 * Report report = new LoadGenRun(LoadConfig.builder(port).conns(100).msgs(10).build()).call();
 * }</pre>
 */
public final class LoadGenRun implements Callable<Report>
{
    /** Engine threads get this long to open their selectors before time zero. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Between engine threads' seeds. Not SplittableRandom's own gamma (0x9E3779B97F4A7C15, which
     * this was): a generator seeded with seed + gamma is the one seeded with seed, one draw on, so
     * thread 1 drew thread 0's shard ids a step behind it and every random shard had two clients at
     * once, one per thread. Any other odd constant puts the threads' draws far apart.
     */
    private static final long SEED_STRIDE = 0xBF58_476D_1CE4_E5B9L;

    private final LoadConfig config;
    private final int threads;
    private ProgressListener progress = ProgressListener.NONE;
    private ServerCountersView serverCounters = ServerCountersView.NONE;
    private final RunStop stop = new RunStop();

    public LoadGenRun(final LoadConfig config)
    {
        this.config = config;
        this.threads = (int)Math.min(config.threads(), Math.min(config.conns(), config.concurrency()));
    }

    /** Receive a {@link ProgressSample} each second (on the thread running {@link #call()}). */
    public LoadGenRun onProgress(final ProgressListener listener)
    {
        this.progress = listener;
        return this;
    }

    /** Sample the server's counters with each progress sample (storm --run-dir). */
    public LoadGenRun serverCounters(final ServerCountersView view)
    {
        this.serverCounters = view;
        return this;
    }

    /** Engine threads this run uses: --threads, but never more than --conns or --concurrency. */
    public int threads()
    {
        return threads;
    }

    /** Ask a running {@link #call()} to stop soon: open connections are cut off, the report is still made. */
    public void requestStop()
    {
        stop.request();
    }

    @Override
    public Report call() throws InterruptedException
    {
        final RunControl run = stop.begin(config.durationNanos(), threads);

        final VerifyLog verifyLog = config.verify() ? new VerifyLog(config.conns()) : null;
        final double[] zipfTable = config.shardIds().zipfTable(config.shards());
        final ThreadMetrics[] metrics = new ThreadMetrics[threads];
        final Thread[] engineThreads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            metrics[i] = new ThreadMetrics();
            final EngineThread engine = new EngineThread(i, threads, config, run, metrics[i],
                config.shardIds().newGenerator(config.shards(), config.seed() + i * SEED_STRIDE, zipfTable), verifyLog);
            engineThreads[i] = new Thread(engine, engine.toString());
            engineThreads[i].setDaemon(true);
        }

        // Time zero only now: building the engines loaded their classes (logging takes a while the first
        // time), which must not count against the first connections' intended start.
        final long start = System.nanoTime() + START_DELAY_NANOS;
        run.begin(start);
        final Sampler sampler = new Sampler(metrics, start);
        final List<ProgressSample> timeline = new ArrayList<>();
        final long end = run.runSampling(engineThreads, start, now ->
        {
            final ProgressSample sample = sampler.sample(now);
            timeline.add(sample);
            progress.onProgress(sample);
        });
        final ProgressSample last = timeline.get(timeline.size() - 1);

        final StopReason reason = stop.reason(run, end - run.deadline() >= 0 || last.started() < config.conns());
        final VerifyResult verify = verifyLog == null ? null : VerifyAnalysis.analyse(verifyLog);
        final Map<Latency, LatencySummary> latencies = new EnumMap<>(Latency.class);
        for (final Latency l : Latency.values())
        {
            latencies.put(l, new LatencySummary(l.label(), sampler.cumulative[l.ordinal()]));
        }
        return new Report(config, threads, Math.max(0, end - start), reason,
            run.failure() == null ? null : run.failure().toString(), sampler.totals(), latencies, verify, timeline,
            sampler.lastServerCounters);
    }

    /** Collects the threads' counters and interval histograms; used by the coordinating thread only. */
    private final class Sampler
    {
        private final ThreadMetrics[] metrics;
        private final long start;
        private final Histogram[] cumulative = new Histogram[Latency.values().length];
        private final Histogram[] interval = new Histogram[Latency.values().length];
        private long previousAt;
        private long previousStarted;
        private long previousReplies;
        private ServerCountersSnapshot lastServerCounters;

        Sampler(final ThreadMetrics[] metrics, final long start)
        {
            this.metrics = metrics;
            this.start = start;
            this.previousAt = start;
            for (int i = 0; i < cumulative.length; i++)
            {
                cumulative[i] = ThreadMetrics.newHistogram();
                interval[i] = ThreadMetrics.newHistogram();
            }
        }

        long[] totals()
        {
            final long[] sums = new long[Counters.LENGTH];
            for (final ThreadMetrics m : metrics)
            {
                for (int i = 0; i < sums.length; i++)
                {
                    sums[i] = Counters.isMaximum(i) ? Math.max(sums[i], m.get(i)) : sums[i] + m.get(i);
                }
            }
            return sums;
        }

        ProgressSample sample(final long now)
        {
            for (final Latency l : Latency.values())
            {
                final Histogram h = interval[l.ordinal()];
                h.reset();
                for (final ThreadMetrics m : metrics)
                {
                    h.add(m.takeInterval(l));
                }
                cumulative[l.ordinal()].add(h);
            }
            final long[] t = totals();
            final long elapsed = Math.max(0, now - start);
            final long intervalNanos = Math.max(1, now - Math.max(previousAt, start));
            final double seconds = intervalNanos / 1e9;
            final long started = t[Counters.STARTED];
            final long finished = t[Counters.OK] + t[Counters.SHED] + t[Counters.FAILED] + t[Counters.CUT_OFF];
            final Optional<ServerCountersSnapshot> server = serverCounters.snapshot();
            server.ifPresent(s -> lastServerCounters = s);
            final List<ServerCounter> serverValues = server.map(ServerCountersSnapshot::counters).orElse(List.of());
            final ProgressSample sample = new ProgressSample(
                elapsed,
                intervalNanos,
                started,
                t[Counters.CONNECTED],
                t[Counters.ROUTED],
                t[Counters.OK],
                t[Counters.SHED],
                t[Counters.FAILED],
                started - finished,
                t[Counters.MESSAGES_SENT],
                t[Counters.REPLIES],
                (started - previousStarted) / seconds,
                config.arrivals().targetRateAt(elapsed),
                (t[Counters.REPLIES] - previousReplies) / seconds,
                p(interval[Latency.CONNECT.ordinal()], 99),
                p(interval[Latency.ROUTE.ordinal()], 99),
                p(interval[Latency.MESSAGE_FROM_INTENDED.ordinal()], 50),
                p(interval[Latency.MESSAGE_FROM_INTENDED.ordinal()], 99),
                serverValues);
            previousAt = now;
            previousStarted = started;
            previousReplies = t[Counters.REPLIES];
            return sample;
        }

        private long p(final Histogram h, final double percentile)
        {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
        }
    }
}
