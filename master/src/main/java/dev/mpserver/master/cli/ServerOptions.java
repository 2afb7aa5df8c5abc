package dev.mpserver.master.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.mpserver.master.MasterConfig;
import dev.mpserver.protocol.cli.DurationConverter;
import dev.mpserver.protocol.launch.MainClasses;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.RLimit;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.rundir.RunDirectory;
import dev.mpserver.protocol.shard.SharedShardTable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The server's options, declared once: the options of {@code mpserver} itself and of
 * {@code mpserver check}, which validates the same command line without starting anything.
 */
public final class ServerOptions
{
    static final int DEFAULT_MAX_WORKERS = 64;
    /** The shard table names an owner in 16 bits; the master keeps two slots per worker. */
    static final int MAX_MAX_WORKERS = SharedShardTable.MAX_SLOTS / 2;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "IPv4 address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8935",
        description = "TCP port; 0 picks a free one (see the ready line). Default ${DEFAULT-VALUE}.")
    int port;

    @Option(names = {"-w", "--workers"}, defaultValue = "-1", paramLabel = "N",
        description = "Workers to start; 0 = single-process mode (no routing). Default: the CPUs this process may use " +
            "(Runtime.availableProcessors, which honours cgroup CPU quotas), at least 1.")
    int workers;

    @Option(names = "--max-workers", defaultValue = "" + DEFAULT_MAX_WORKERS,
        description = "Most worker processes at once, standbys included (default ${DEFAULT-VALUE}).")
    int maxWorkers;

    @Option(names = "--worker-capacity", defaultValue = "-1", paramLabel = "CLIENTS",
        description = "A worker with fewer clients is 'idle' and may take a new shard (default: --max-clients).")
    int workerCapacity;

    @Option(names = "--min-spare", defaultValue = "0", description = "Idle workers to keep ready (default ${DEFAULT-VALUE}).")
    int minSpare;

    @Option(names = "--max-spare", defaultValue = "4",
        description = "Idle workers above --workers beyond this many are retired (default ${DEFAULT-VALUE}).")
    int maxSpare;

    @Option(names = "--max-served", defaultValue = "0",
        description = "Recycle a worker after the master forwarded it this many clients; 0 = never (default).")
    long maxServed;

    @Option(names = "--standby", paramLabel = "N",
        description = "Warm workers to keep off the listener, within --max-workers: each is started and warmed up "
            + "--standby-delay after the pool is warm, then waits; when a worker dies (or is recycled by --max-served), one "
            + "takes its place at once, so that the dead worker's clients, reconnecting, meet a warm worker and no JVM start; "
            + "the next standby starts --standby-delay later. Costs one idle JVM each (about 56 MiB). 0 turns it off. "
            + "Default: 1 with --workers 1 or more when --max-workers leaves room, else 0.")
    Integer standby;

    // The default is PoolLimits.DEFAULT_STANDBY_DELAY_NANOS.
    @Option(names = "--standby-delay", defaultValue = "5s", converter = DurationConverter.class,
        description = "A standby starts this long after a start, a reload's switch to the new generation, or a promotion: "
            + "meanwhile the first clients of fresh workers, or a dead worker's clients coming back, meet no JVM start "
            + "(default ${DEFAULT-VALUE}).")
    Duration standbyDelay;

    @Mixin
    WorkerOptions worker;

    @Option(names = "--backlog", defaultValue = "4096", description = "Listen backlog, capped by net.core.somaxconn (default ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--shard-ttl", defaultValue = "10s", converter = DurationConverter.class,
        description = "Forget a shard this long after its last client left (default ${DEFAULT-VALUE}); until then a client of "
            + "it that reaches the master goes to its worker (under --placement local, a worker its client lands on takes it over).")
    Duration shardTtl;

    /** Who places a shard that has no worker: {@code --placement}. */
    enum Placement
    {
        local, master
    }

    @Option(names = "--placement", defaultValue = "local", paramLabel = "local|master",
        description = {"Who gives a shard with no clients anywhere its worker (default ${DEFAULT-VALUE}).",
            "local: the worker its client landed on takes it itself, through the shard table all processes map, if it is below "
                + "--worker-capacity and near the least-loaded warm worker's load; so is an empty shard another worker had. "
                + "Only clients of a shard with clients in another worker cross the master. Else as master.",
            "master: every client whose shard has no client in the accepting worker crosses the master, which places new "
                + "shards on the least-loaded warm worker (or starts one)."})
    Placement placement;

    @Option(names = "--grace-period", defaultValue = "5s", converter = DurationConverter.class,
        description = "After QUIT_NOW (or the drain timeout), wait this long before SIGKILL (default ${DEFAULT-VALUE}).")
    Duration gracePeriod;

    @Option(names = "--handoff-queue", defaultValue = "1024",
        description = "Hand-offs that may wait per worker (channel full or worker starting); beyond it clients get 'E' 3 " +
            "(default ${DEFAULT-VALUE}).")
    int handoffQueue;

    @Option(names = "--run-dir", paramLabel = "DIR",
        description = "Where the pid file (master.pid), the counters files and the shard table live. Default: " +
            "mpserver-<port> under the first writable of $XDG_RUNTIME_DIR, /run, /dev/shm and /tmp that is in memory " +
            "(tmpfs), else the first writable: the counters and shard table are memory-mapped and written on every client, " +
            "and on a disk file system the workers' writes fault after each write-back (a warning says so). Created mode " +
            "0700; one that is a symbolic link, another user's, or writable by group or others is refused.")
    Path runDir;

    @Option(names = "--log-file", paramLabel = "FILE",
        description = "Log to FILE (appended; master and workers) instead of stderr. SIGUSR1 ('mpserver signal reopen') " +
            "reopens it, after logrotate moved it away. Start-up errors still go to stderr.")
    Path logFile;

    @Option(names = "--sigpending", defaultValue = "0", paramLabel = "N",
        description = "Lower the master's RLIMIT_SIGPENDING to N, to reproduce RT signal queue overflows; 0 = leave it.")
    long sigpending;

    /**
     * Small at rest (an idle worker's RSS, docs/benchmarks.md) without capping the heap, which
     * would also cap the direct memory the client buffers live in. C1 only: measured quicker to
     * warm (every spawn is a cold start) and no slower warm, the worker being bound by syscalls.
     */
    @Option(names = "--worker-jvm-opts",
        defaultValue = "-XX:+UseSerialGC -Xss256k -Xms8m -XX:ReservedCodeCacheSize=48m -XX:CICompilerCount=2 -XX:-UsePerfData "
            + "-XX:TieredStopAtLevel=1",
        description = "JVM options of worker processes (default '${DEFAULT-VALUE}'). They replace the default: "
            + "to add one (e.g. -Xlog:gc), repeat the default's too, or workers run G1 and tiered compilation.")
    String workerJvmOpts;

    @Option(names = "--worker-class", hidden = true, defaultValue = MainClasses.WORKER,
        description = "Benchmarks only: the main class of worker processes.")
    String workerClass;

    /** --workers, or its default. */
    int workerCount()
    {
        return workers >= 0 ? workers : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * --standby as given, or one when there are workers to stand by for and --max-workers has room:
     * a respawn on defaults then meets a warm worker (issue 16: without one, the first clients
     * after a kill -9 met a JVM start and 2.4-4x the warm p99 here; with one, under 2x in every
     * repeat). Single-process mode has nobody to replace.
     */
    int standbyCount()
    {
        if (null != standby)
        {
            return standby;
        }
        final int workerCount = workerCount();
        return workerCount > 0 && workerCount < maxWorkers ? 1 : 0;
    }

    /**
     * Checks every option and the fd limit; says what is wrong in one line, naming the option.
     *
     * @throws CommandLine.ParameterException (exit 2)
     */
    void validate(final CommandLine cli)
    {
        final int workerCount = workerCount();
        if (port < 0 || port > 65535)
        {
            throw new CommandLine.ParameterException(cli, "--port must be 0..65535, got " + port);
        }
        try
        {
            SockAddrIn.parseIpv4(host);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(cli, "--host must be an IPv4 address such as 127.0.0.1, got '" + host + "'");
        }
        if (maxWorkers > MAX_MAX_WORKERS)
        {
            // Two slots per worker (a reload's new generation beside the old), each an owner in the shard table.
            throw new CommandLine.ParameterException(cli, "--max-workers must be at most " + MAX_MAX_WORKERS + ", got " + maxWorkers);
        }
        if (maxWorkers < 1 || workerCount > maxWorkers)
        {
            throw new CommandLine.ParameterException(cli, "--workers (" + workerCount + ") must be between 0 and --max-workers (" + maxWorkers + ")");
        }
        final int standbyCount = standbyCount();
        if (standbyCount < 0 || standbyCount > 0 && (0 == workerCount || workerCount + standbyCount > maxWorkers))
        {
            throw new CommandLine.ParameterException(cli, "--standby (" + standbyCount + ") must not be negative, and needs --workers 1 "
                + "or more, with --workers + --standby (" + (workerCount + standbyCount) + ") at most --max-workers (" + maxWorkers + ")");
        }
        if (worker.maxClients < 1 && worker.maxClients != WorkerOptions.MAX_CLIENTS_FROM_FD_LIMIT)
        {
            throw new CommandLine.ParameterException(cli, "--max-clients must be at least 1, got " + worker.maxClients);
        }
        if (worker.idleTimeout.toMillis() < 1)
        {
            throw new CommandLine.ParameterException(cli, "--idle-timeout must be at least 1ms, got " + worker.idleTimeout.toMillis() + "ms");
        }
        if (worker.lingerTimeout.toMillis() < 1)
        {
            throw new CommandLine.ParameterException(cli, "--linger-timeout must be at least 1ms, got " + worker.lingerTimeout.toMillis() + "ms");
        }
        if (backlog < 1 || handoffQueue < 1 || minSpare < 0 || maxSpare < 0 || worker.outputCap < WorkerConfig.MIN_OUTPUT_CAP)
        {
            throw new CommandLine.ParameterException(cli,
                "--backlog and --handoff-queue must be positive, spares non-negative, --output-cap at least " + WorkerConfig.MIN_OUTPUT_CAP);
        }
        if (standbyDelay.isNegative())
        {
            throw new CommandLine.ParameterException(cli, "--standby-delay must not be negative, got " + standbyDelay.toMillis() + "ms");
        }
        if (sigpending < 0)
        {
            throw new CommandLine.ParameterException(cli, "--sigpending must not be negative, got " + sigpending);
        }
        try
        {
            worker.rtmpSettings();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(cli, ex.getMessage());
        }
        final long fdLimit = fdLimit();
        final int maxClients = maxClients();
        if (WorkerConfig.fdsNeeded(maxClients) > fdLimit)
        {
            throw new CommandLine.ParameterException(cli, "--max-clients " + maxClients + " does not fit the fd limit " +
                fdLimit + " (ulimit -Hn): a worker needs " + WorkerConfig.fdsNeeded(maxClients) + " fds for it (clients, " +
                "clients in transit and lingering, " + WorkerConfig.RESERVED_FDS + " of its own); lower --max-clients " +
                "(at most " + WorkerConfig.defaultMaxClients(fdLimit) + ", the default) or raise the limit");
        }
    }

    /** --max-clients as given, or what the fd limit allows. */
    int maxClients()
    {
        return worker.effectiveMaxClients(fdLimit());
    }

    /** RLIMIT_NOFILE's hard limit, which HotSpot makes every JVM's soft limit at start-up. */
    static long fdLimit()
    {
        final long limit = Posix.getRlimit(RLimit.RLIMIT_NOFILE).maximum();
        return limit == RLimit.RLIM_INFINITY ? Integer.MAX_VALUE : limit;
    }

    /** --run-dir, or the default for the port the server listens on. */
    Path runDirFor(final int actualPort)
    {
        return null != runDir ? runDir : RunDirectory.defaultFor(actualPort);
    }

    WorkerConfig workerConfig(final Path dir)
    {
        return worker.toConfig(0, dir, fdLimit());
    }

    MasterConfig masterConfig(final int actualPort, final Path dir, final WorkerConfig workerConfig)
    {
        return new MasterConfig(host, actualPort, workerCount(), maxWorkers, backlog, dir,
            workerCapacity > 0 ? workerCapacity : workerConfig.maxClients, minSpare, maxSpare, maxServed, standbyCount(), standbyDelay.toMillis(),
            shardTtl.toMillis(),
            placement == Placement.local, worker.drainTimeout.toMillis(), gracePeriod.toMillis(), handoffQueue, sigpending, workerConfig,
            workerJvmOptions(), workerClass, logFile);
    }

    /** --worker-jvm-opts, word by word. */
    List<String> workerJvmOptions()
    {
        return Arrays.asList(workerJvmOpts.trim().split("\\s+"));
    }
}
