package dev.mpserver.master.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import dev.mpserver.master.Master;
import dev.mpserver.master.MasterConfig;
import dev.mpserver.master.signal.SignalWaiter;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.NativeStrings;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.RLimit;
import dev.mpserver.protocol.posix.SigSet;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.worker.cli.DurationConverter;
import dev.mpserver.worker.cli.WorkerOptions;
import dev.mpserver.worker.loop.WorkerConfig;
import dev.mpserver.worker.loop.WorkerLoop;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mpserver}: the multi-process connection router. */
@Command(
    name = "mpserver",
    mixinStandardHelpOptions = true,
    version = "mpserver 0.1.0",
    subcommands = {StatCommand.class, ClusterStatCommand.class, HaproxyConfigCommand.class},
    sortOptions = false,
    description = {
        "Multi-process TCP connection router. Workers accept clients on one shared listening socket; a client's first frame 'C' + int32 id names its shard, and every client of a shard is served by the same worker: a worker that does not own the shard passes the client's fd to the master, which forwards it to the owner, gives the shard to an idle worker, or spawns a new one. RTMP clients (ffmpeg, OBS) use the same port: their shard is their vhost (see --shard-by), and they move between workers with their session state; a stream's publisher and players meet in one worker, which relays it live.",
        "Signals: TERM/INT fast stop, QUIT graceful drain, HUP reload (new workers, old ones drain), USR1 log status. Prints 'mpserver ready port=P pid=N workers=W' on stdout once serving."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:stopped cleanly", "2:bad options or start-up failure (port in use, fd limit, ...)"})
public final class MpServer implements Callable<Integer>
{
    static final String REEXEC_PROPERTY = "mpserver.reexec";
    static final int DEFAULT_MAX_WORKERS = 64;
    private static final int CLOSE_RANGE_CLOEXEC = 4;
    private static final Logger LOG = LogManager.getLogger(MpServer.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "IPv4 address to listen on (default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "8935",
        description = "TCP port; 0 picks a free one (see the ready line). Default ${DEFAULT-VALUE}.")
    int port;

    @Option(names = {"-w", "--workers"}, defaultValue = "-1", paramLabel = "N",
        description = "Workers to start; 0 = single-process mode (no routing). Default: the CPUs this process may use " +
            "(Runtime.availableProcessors, which honours cgroup CPU quotas), at least 1.")
    int workers;

    @Option(names = "--max-workers", defaultValue = "" + DEFAULT_MAX_WORKERS, description = "Most workers at once (default ${DEFAULT-VALUE}).")
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

    @Mixin
    WorkerOptions worker;

    @Option(names = "--backlog", defaultValue = "4096", description = "Listen backlog, capped by net.core.somaxconn (default ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--shard-ttl", defaultValue = "10s", converter = DurationConverter.class,
        description = "Forget a shard this long after its last client left (default ${DEFAULT-VALUE}).")
    long shardTtlMs;

    @Option(names = "--grace-period", defaultValue = "5s", converter = DurationConverter.class,
        description = "After QUIT_NOW (or the drain timeout), wait this long before SIGKILL (default ${DEFAULT-VALUE}).")
    long gracePeriodMs;

    @Option(names = "--handoff-queue", defaultValue = "1024",
        description = "Hand-offs that may wait per worker (channel full or worker starting); beyond it clients get 'E' 3 " +
            "(default ${DEFAULT-VALUE}).")
    int handoffQueue;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where pid and counters files live (default /tmp/mpserver-<port>).")
    Path runDir;

    @Option(names = "--sigpending", defaultValue = "0", paramLabel = "N",
        description = "Lower the master's RLIMIT_SIGPENDING to N, to reproduce RT signal queue overflows; 0 = leave it.")
    long sigpending;

    /**
     * Small at rest (measured idle RSS ~84 MiB instead of ~119 MiB) without capping the heap, which
     * would also cap the direct memory the client buffers live in; C2 stays on for throughput.
     */
    @Option(names = "--worker-jvm-opts",
        defaultValue = "-XX:+UseSerialGC -Xss256k -Xms8m -XX:ReservedCodeCacheSize=48m -XX:CICompilerCount=2 -XX:-UsePerfData",
        description = "JVM options of worker processes (default '${DEFAULT-VALUE}').")
    String workerJvmOpts;

    @Option(names = "--worker-class", hidden = true, defaultValue = "dev.mpserver.worker.WorkerMain",
        description = "Benchmarks only: the main class of worker processes.")
    String workerClass;

    @Override
    public Integer call() throws Exception
    {
        final int workerCount = workers >= 0 ? workers : Math.max(1, Runtime.getRuntime().availableProcessors());
        validate(workerCount);
        if (workerCount > 0 && null == System.getProperty(REEXEC_PROPERTY))
        {
            reexecWithSignalsBlocked();
            return Master.EXIT_FATAL; // not reached: execv only returns on failure, and throws then
        }

        final int listenFd;
        try
        {
            listenFd = Posix.listenTcp(SockAddrIn.parseIpv4(host), port, Math.min(backlog, somaxconn()));
        }
        catch (final PosixException ex)
        {
            final String reason = ex.errno() == Errno.EADDRINUSE ? "port " + port + " is already in use" : ex.getMessage();
            spec.commandLine().getErr().println("mpserver: cannot listen on " + host + ":" + port + ": " + reason);
            return Master.EXIT_FATAL;
        }
        final int actualPort = Posix.localPort(listenFd);
        final Path dir = null != runDir ? runDir : Path.of("/tmp", "mpserver-" + actualPort);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("master.pid"), Long.toString(ProcessHandle.current().pid()));

        final WorkerConfig workerConfig = worker.toConfig(0, dir, fdLimit());
        try
        {
            if (0 == workerCount)
            {
                System.out.println("mpserver ready port=" + actualPort + " pid=" + ProcessHandle.current().pid() + " workers=0");
                System.out.flush();
                return new WorkerLoop(workerConfig, listenFd, WorkerLoop.NO_CHANNEL).run();
            }
            if (sigpending > 0)
            {
                final RLimit current = Posix.getRlimit(RLimit.RLIMIT_SIGPENDING);
                Posix.setRlimit(RLimit.RLIMIT_SIGPENDING, sigpending, current.maximum());
                LOG.warn("RLIMIT_SIGPENDING lowered to {} (--sigpending): expect RT signal queue overflows", sigpending);
            }
            final MasterConfig config = new MasterConfig(host, actualPort, workerCount, maxWorkers, backlog, dir,
                workerCapacity > 0 ? workerCapacity : workerConfig.maxClients, minSpare, maxSpare, maxServed, shardTtlMs,
                worker.drainTimeoutMs, gracePeriodMs, handoffQueue, sigpending, workerConfig,
                Arrays.asList(workerJvmOpts.trim().split("\\s+")), workerClass);
            return new Master(config, listenFd, System.out).run();
        }
        finally
        {
            Posix.closeQuietly(listenFd);
            Files.deleteIfExists(dir.resolve("master.pid"));
        }
    }

    private void validate(final int workerCount)
    {
        final CommandLine cli = spec.commandLine();
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
        if (maxWorkers < 1 || workerCount > maxWorkers)
        {
            throw new CommandLine.ParameterException(cli, "--workers (" + workerCount + ") must be between 0 and --max-workers (" + maxWorkers + ")");
        }
        if (worker.maxClients < 1 && worker.maxClients != WorkerOptions.MAX_CLIENTS_FROM_FD_LIMIT)
        {
            throw new CommandLine.ParameterException(cli, "--max-clients must be at least 1");
        }
        if (worker.lingerTimeoutMs < 1 || worker.idleTimeoutMs < 1)
        {
            throw new CommandLine.ParameterException(cli, "--idle-timeout and --linger-timeout must be at least 1ms");
        }
        if (backlog < 1 || handoffQueue < 1 || minSpare < 0 || maxSpare < 0 || worker.outputCap < 1024)
        {
            throw new CommandLine.ParameterException(cli,
                "--backlog and --handoff-queue must be positive, spares non-negative, --output-cap at least 1024");
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
        final int maxClients = worker.effectiveMaxClients(fdLimit);
        if (WorkerConfig.fdsNeeded(maxClients) > fdLimit)
        {
            throw new CommandLine.ParameterException(cli, "--max-clients " + maxClients + " does not fit the fd limit " +
                fdLimit + " (ulimit -Hn): a worker needs " + WorkerConfig.fdsNeeded(maxClients) + " fds for it (clients, " +
                "clients in transit and lingering, " + WorkerConfig.RESERVED_FDS + " of its own); lower --max-clients " +
                "(at most " + WorkerConfig.defaultMaxClients(fdLimit) + ", the default) or raise the limit");
        }
    }

    /** RLIMIT_NOFILE's hard limit, which HotSpot makes every JVM's soft limit at start-up. */
    static long fdLimit()
    {
        final long limit = Posix.getRlimit(RLimit.RLIMIT_NOFILE).maximum();
        return limit == RLimit.RLIM_INFINITY ? Integer.MAX_VALUE : limit;
    }

    /**
     * The JVM unblocks some signals on its own threads, so the master restarts itself once with
     * its signals blocked and -Xrs: every thread of the new JVM inherits the mask, and the master's
     * signals can then only be taken inside its sigsuspend. Same pid, same stdio, same arguments.
     */
    private void reexecWithSignalsBlocked()
    {
        final SigSet blocked = SigSet.of(SignalWaiter.MASTER_SIGNALS);
        Posix.checked("sigprocmask", Posix.process().sigprocmask(Signals.SIG_BLOCK, blocked.address(), 0L));
        Posix.checked("close_range", Posix.process().close_range(3, Integer.MAX_VALUE, CLOSE_RANGE_CLOEXEC));
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        final List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.add("-Xrs");
        argv.add("-D" + REEXEC_PROPERTY + "=1");
        for (final String jvmArgument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!jvmArgument.equals("-Xrs") && !jvmArgument.startsWith("-D" + REEXEC_PROPERTY))
            {
                argv.add(jvmArgument);
            }
        }
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(MpServer.class.getName());
        argv.addAll(spec.commandLine().getParseResult().originalArgs());
        final NativeStrings path = new NativeStrings(List.of(java));
        final NativeStrings args = new NativeStrings(argv);
        System.out.flush();
        System.err.flush();
        Posix.process().execv(path.stringAddress(0), args.address());
        throw new PosixException("execv", Posix.errno(), java);
    }

    /**
     * net.core.somaxconn. Read line-wise: /proc/sys files report size 0, and Files.readString on
     * JDK 17 then returns only the first byte ("4" for 4096), which once gave us a backlog of 4.
     */
    static int somaxconn()
    {
        try (java.io.BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/core/somaxconn")))
        {
            return Integer.parseInt(reader.readLine().trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return 4096;
        }
    }

    public static void main(final String[] args)
    {
        final int code = new CommandLine(new MpServer()).execute(args);
        LogManager.shutdown();
        System.exit(code);
    }
}
