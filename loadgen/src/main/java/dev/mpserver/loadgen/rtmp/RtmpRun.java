package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.engine.RunControl;
import dev.mpserver.loadgen.engine.RunStop;
import dev.mpserver.loadgen.engine.ThreadMetrics;
import dev.mpserver.loadgen.report.LatencySummary;
import dev.mpserver.loadgen.report.StopReason;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One {@code loadgen rtmp} run, in process: build an {@link RtmpConfig}, call {@link #call()}, read
 * the {@link RtmpReport}. The calling thread samples progress once a second; the engine threads are
 * finished when {@code call()} returns. The run lasts --duration: publishers start at time zero,
 * players once every publisher is live (or failed), and everything still open at the end is closed.
 *
 * <pre>{@code
 * RtmpReport report = new RtmpRun(RtmpConfig.builder(port).streams(4).players(25).verify(true).build()).call();
 * }</pre>
 */
public final class RtmpRun implements Callable<RtmpReport>
{
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** What the engine threads share besides {@link RunControl}: when players may start. */
    static final class Shared
    {
        static final long NOT_YET = Long.MIN_VALUE;

        private final int publishers;
        private final AtomicInteger settled = new AtomicInteger();
        private volatile long playersStart = NOT_YET;

        Shared(final int publishers)
        {
            this.publishers = publishers;
        }

        /** A publisher is live, or failed before it was: once all are, players start. */
        void publisherSettled()
        {
            if (settled.incrementAndGet() == publishers)
            {
                playersStart = System.nanoTime();
            }
        }

        long playersStartNanos()
        {
            return playersStart;
        }
    }

    private final RtmpConfig config;
    private final int threads;
    private Consumer<RtmpProgressSample> progress = sample -> { };
    private final RunStop stop = new RunStop();

    public RtmpRun(final RtmpConfig config)
    {
        this.config = config;
        this.threads = Math.min(config.threads(), config.connections());
    }

    public RtmpRun onProgress(final Consumer<RtmpProgressSample> listener)
    {
        this.progress = listener;
        return this;
    }

    public int threads()
    {
        return threads;
    }

    public void requestStop()
    {
        stop.request();
    }

    @Override
    public RtmpReport call() throws InterruptedException
    {
        final RunControl run = stop.begin(config.durationNanos(), threads);
        final Shared shared = new Shared(config.streams());
        final ClientRecords publishers = new ClientRecords(config.streams());
        final ClientRecords players = new ClientRecords(config.players());
        final ThreadMetrics[] metrics = new ThreadMetrics[threads];
        final Thread[] engineThreads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            metrics[i] = new ThreadMetrics(RtmpCounters.LENGTH, RtmpLatency.values().length);
            final RtmpEngineThread engine = new RtmpEngineThread(i, threads, config, run, shared, metrics[i], publishers, players);
            engineThreads[i] = new Thread(engine, engine.toString());
            engineThreads[i].setDaemon(true);
        }
        final long cpuAtStart = SelfUsage.processCpuNanos();
        final long start = System.nanoTime() + START_DELAY_NANOS;
        run.begin(start);
        final Sampler sampler = new Sampler(metrics, start, shared);
        final List<RtmpProgressSample> timeline = new ArrayList<>();
        final long end = run.runSampling(engineThreads, start, now ->
        {
            final RtmpProgressSample sample = sampler.sample(now);
            timeline.add(sample);
            progress.accept(sample);
        });
        final SelfUsage self = SelfUsage.since(cpuAtStart);

        final StopReason reason = stop.reason(run, end - run.deadline() >= 0);
        final long tailLoss = RtmpAnalysis.addTailLoss(config, publishers, players);
        final Map<RtmpLatency, LatencySummary> latencies = new EnumMap<>(RtmpLatency.class);
        for (final RtmpLatency l : RtmpLatency.values())
        {
            latencies.put(l, new LatencySummary(l.label(), sampler.cumulative[l.ordinal()]));
        }
        return new RtmpReport(config, threads, Math.max(0, end - start), reason,
            run.failure() == null ? null : run.failure().toString(), sampler.totals(), latencies, timeline,
            publishers, players, tailLoss, self);
    }

    /** The threads' counters and interval histograms, read by the coordinating thread only. */
    private final class Sampler
    {
        private final ThreadMetrics[] metrics;
        private final long start;
        private final Shared shared;
        private final Histogram[] cumulative = new Histogram[RtmpLatency.values().length];
        private final Histogram[] interval = new Histogram[RtmpLatency.values().length];
        private long previousAt;
        private long previousStarted;
        private long previousFrames;
        private long previousBytes;

        Sampler(final ThreadMetrics[] metrics, final long start, final Shared shared)
        {
            this.metrics = metrics;
            this.start = start;
            this.shared = shared;
            this.previousAt = start;
            for (int i = 0; i < cumulative.length; i++)
            {
                cumulative[i] = ThreadMetrics.newHistogram();
                interval[i] = ThreadMetrics.newHistogram();
            }
        }

        long[] totals()
        {
            final long[] sums = new long[RtmpCounters.LENGTH];
            for (final ThreadMetrics m : metrics)
            {
                for (int i = 0; i < sums.length; i++)
                {
                    sums[i] += m.get(i);
                }
            }
            return sums;
        }

        RtmpProgressSample sample(final long now)
        {
            for (final RtmpLatency l : RtmpLatency.values())
            {
                final Histogram h = interval[l.ordinal()];
                h.reset();
                for (final ThreadMetrics m : metrics)
                {
                    h.add(m.takeInterval(l.ordinal()));
                }
                cumulative[l.ordinal()].add(h);
            }
            final long[] t = totals();
            final double seconds = Math.max(1, now - Math.max(previousAt, start)) / 1e9;
            final long started = t[RtmpCounters.PLAYERS_STARTED];
            final long playersStart = shared.playersStartNanos();
            final double target = config.isOpenLoop() && playersStart != Shared.NOT_YET && started < config.players()
                ? config.rate() : 0;
            final RtmpProgressSample sample = new RtmpProgressSample(
                Math.max(0, now - start),
                Math.max(1, now - Math.max(previousAt, start)),
                t[RtmpCounters.PUBLISHERS_LIVE],
                started,
                t[RtmpCounters.PLAYERS_PLAYING] - failedAfterPlay(t),
                t[RtmpCounters.PLAYERS_SERVED],
                t[RtmpCounters.PLAYERS_FAILED],
                t[RtmpCounters.PUBLISHERS_FAILED],
                t[RtmpCounters.VIDEO_FRAMES_SENT],
                t[RtmpCounters.VIDEO_FRAMES_RECEIVED],
                t[RtmpCounters.FRAMES_LOST],
                (started - previousStarted) / seconds,
                target,
                (t[RtmpCounters.VIDEO_FRAMES_RECEIVED] - previousFrames) / seconds,
                (t[RtmpCounters.BYTES_READ] - previousBytes) / seconds,
                p(interval[RtmpLatency.RELAY.ordinal()], 50),
                p(interval[RtmpLatency.RELAY.ordinal()], 99),
                p(interval[RtmpLatency.FIRST_FRAME.ordinal()], 99));
            previousAt = now;
            previousStarted = started;
            previousFrames = t[RtmpCounters.VIDEO_FRAMES_RECEIVED];
            previousBytes = t[RtmpCounters.BYTES_READ];
            return sample;
        }

        /** Players that failed after Play.Start are no longer playing. */
        private long failedAfterPlay(final long[] t)
        {
            long sum = 0;
            for (final RtmpFailure kind : RtmpFailure.values())
            {
                sum += t[RtmpCounters.failure(RtmpCounters.PLAYER, RtmpPhase.FIRST_FRAME, kind)];
                sum += t[RtmpCounters.failure(RtmpCounters.PLAYER, RtmpPhase.STREAMING, kind)];
            }
            return sum;
        }

        private long p(final Histogram h, final double percentile)
        {
            return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile);
        }
    }
}
