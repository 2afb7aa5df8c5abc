package dev.mpserver.master;

import java.nio.file.Path;
import java.util.List;

import dev.mpserver.protocol.launch.WorkerConfig;

/** The master's settings, fixed at start (validated by the command line). Durations in ms. */
public final class MasterConfig
{
    public final String host;
    public final int port;
    public final int workers;
    public final int maxWorkers;
    public final int backlog;
    public final Path runDir;
    public final int workerCapacity;
    public final int minSpare;
    public final int maxSpare;
    public final long maxServed;
    /** Warm workers held off the listener, each taking a dead worker's place at once (--standby). */
    public final int standby;
    /** A standby starts this long after a start, a reload's switch or a promotion (--standby-delay). */
    public final long standbyDelayMs;
    public final long shardTtlMs;
    /** Workers take new (and empty) shards themselves through the shard table; false: the master places every one. */
    public final boolean workersTakeShards;
    public final long drainTimeoutMs;
    public final long gracePeriodMs;
    public final int handoffQueue;
    public final long sigpending;
    public final WorkerConfig worker;
    public final List<String> workerJvmOptions;
    /** Main class of worker processes (a benchmark may substitute a synthetic one). */
    public final String workerClass;
    /** --log-file (stderr of master and workers, reopened on SIGUSR1), or null. */
    public final Path logFile;

    public MasterConfig(
        final String host, final int port, final int workers, final int maxWorkers, final int backlog, final Path runDir,
        final int workerCapacity, final int minSpare, final int maxSpare, final long maxServed, final int standby, final long standbyDelayMs,
        final long shardTtlMs,
        final boolean workersTakeShards, final long drainTimeoutMs, final long gracePeriodMs, final int handoffQueue, final long sigpending,
        final WorkerConfig worker, final List<String> workerJvmOptions, final String workerClass, final Path logFile)
    {
        this.host = host;
        this.port = port;
        this.workers = workers;
        this.maxWorkers = maxWorkers;
        this.backlog = backlog;
        this.runDir = runDir;
        this.workerCapacity = workerCapacity;
        this.minSpare = minSpare;
        this.maxSpare = maxSpare;
        this.maxServed = maxServed;
        this.standby = standby;
        this.standbyDelayMs = standbyDelayMs;
        this.shardTtlMs = shardTtlMs;
        this.workersTakeShards = workersTakeShards;
        this.drainTimeoutMs = drainTimeoutMs;
        this.gracePeriodMs = gracePeriodMs;
        this.handoffQueue = handoffQueue;
        this.sigpending = sigpending;
        this.worker = worker;
        this.workerJvmOptions = List.copyOf(workerJvmOptions);
        this.workerClass = workerClass;
        this.logFile = logFile;
    }
}
