package dev.mpserver.master.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.mpserver.master.Master;
import dev.mpserver.master.control.ServerPidFile;
import dev.mpserver.master.log.LogFile;
import dev.mpserver.master.log.SingleProcessLogReopen;
import dev.mpserver.master.process.CdsArchive;
import dev.mpserver.master.process.WorkerLauncher;
import dev.mpserver.master.signal.SignalWaiter;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.launch.ReadyLine;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.NativeStrings;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.RLimit;
import dev.mpserver.protocol.posix.SigSet;
import dev.mpserver.protocol.posix.Signals;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.rundir.PidFile;
import dev.mpserver.protocol.rundir.RunDirectory;
import dev.mpserver.worker.loop.WorkerLoop;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code mpserver}: the multi-process connection router, and its control commands. */
@Command(
    name = "mpserver",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    subcommands = {StatCommand.class, SignalCommand.class, CheckCommand.class, CdsArchiveCommand.class, ClusterStatCommand.class,
        HaproxyConfigCommand.class},
    sortOptions = false,
    description = {
        "Multi-process TCP connection router. Workers accept clients on one shared listening socket; a client's first frame 'C' + int32 id names its shard, and every client of a shard is served by the same worker: a worker that does not own the shard passes the client's fd to the master, which forwards it to the owner, gives the shard to an idle worker, or spawns a new one. RTMP clients (ffmpeg, OBS) use the same port: their shard is their vhost (see --shard-by), and they move between workers with their session state; a stream's publisher and players meet in one worker, which relays it live.",
        "Prints 'mpserver ready port=P pid=N workers=W' on stdout once serving; writes its pid to <run dir>/master.pid.",
        "Signals to the master (or 'mpserver signal stop|quit|reload|reopen'): TERM/INT fast stop, QUIT graceful drain, HUP reload (new workers, old ones drain), USR1 reopen the --log-file (master and workers) and log the worker table."},
    footerHeading = "%nOptions from a file:%n",
    footer = {
        "  @FILE anywhere on the command line stands for the arguments in FILE (picocli argument files): separated by",
        "  spaces or newlines, quoted with ' or \" when a value has spaces, '#' starts a comment line. Example:",
        "    bin/mpserver @conf/mpserver.args        bin/mpserver check @conf/mpserver.args"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:stopped cleanly",
        "2:bad options or a failure, in one line on stderr: port in use, fd limit, unsafe or unwritable run directory, " +
            "another server on the run directory, log file not writable, every worker exiting with 2, ..."})
public final class MpServer implements Callable<Integer>
{
    static final String REEXEC_PROPERTY = "mpserver.reexec";
    private static final int CLOSE_RANGE_CLOEXEC = 4;
    private static final int DEFAULT_SOMAXCONN = 4096;
    private static final Logger LOG = LogManager.getLogger(MpServer.class);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Override
    public Integer call() throws Exception
    {
        options.validate(spec.commandLine());
        final int workerCount = options.workerCount();
        if (workerCount > 0 && null == System.getProperty(REEXEC_PROPERTY))
        {
            if (!WorkerLauncher.choosesOwnClassData(options.workerJvmOptions()))
            {
                makeClassDataArchiveIfMissing();
            }
            reexecWithSignalsBlocked();
            return CommandErrors.EXIT_FAILURE; // not reached: execv only returns on failure, and throws then
        }
        final int listenFd = listen();
        try
        {
            final int actualPort = Posix.localPort(listenFd);
            final Path dir = RunDirectory.prepare(options.runDirFor(actualPort));
            final long pid = ProcessHandle.current().pid();
            ServerPidFile.claim(dir, pid, MpServer.class.getName());
            try
            {
                // Last: every start-up failure so far went to the terminal that started us.
                final LogFile logFile = null == options.logFile ? null : new LogFile(options.logFile);
                if (null != logFile)
                {
                    logFile.redirectStderr();
                }
                final String diskWarning = RunDirectory.diskWarning(dir);
                if (null != diskWarning)
                {
                    LOG.warn(diskWarning);
                }
                final WorkerConfig workerConfig = options.workerConfig(dir);
                if (0 == workerCount)
                {
                    return runSingleProcess(workerConfig, listenFd, actualPort, dir, logFile);
                }
                lowerSigPending();
                return new Master(options.masterConfig(actualPort, dir, workerConfig), listenFd, System.out).run();
            }
            finally
            {
                PidFile.remove(dir, pid);
            }
        }
        finally
        {
            Posix.closeQuietly(listenFd);
        }
    }

    private int listen()
    {
        try
        {
            return Posix.listenTcp(SockAddrIn.parseIpv4(options.host), options.port, Math.min(options.backlog, somaxconn()));
        }
        catch (final PosixException ex)
        {
            throw new CommandFailedException("cannot listen on " + options.host + ":" + options.port + ": " +
                (ex.errno() == Errno.EADDRINUSE ? "port " + options.port + " is already in use" : Posix.strerror(ex.errno())));
        }
    }

    private int runSingleProcess(final WorkerConfig workerConfig, final int listenFd, final int actualPort, final Path dir,
        final LogFile logFile)
    {
        final long pid = ProcessHandle.current().pid();
        // No master loop here: the JVM takes TERM/INT (exit through its shutdown hooks) and USR1
        // (SingleProcessLogReopen); QUIT and HUP are the JVM's, so 'mpserver signal' refuses them.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> PidFile.remove(dir, pid), "remove-pid-file"));
        SingleProcessLogReopen.install(logFile);
        System.out.println(new ReadyLine(actualPort, pid, 0));
        System.out.flush();
        return new WorkerLoop(workerConfig, listenFd, WorkerLoop.NO_CHANNEL).run();
    }

    private void lowerSigPending()
    {
        if (options.sigpending > 0)
        {
            final RLimit current = Posix.getRlimit(RLimit.RLIMIT_SIGPENDING);
            Posix.setRlimit(RLimit.RLIMIT_SIGPENDING, options.sigpending, current.maximum());
            LOG.warn("RLIMIT_SIGPENDING lowered to {} (--sigpending): expect RT signal queue overflows", options.sigpending);
        }
    }

    /**
     * An installation's first start with this JDK (or after an upgrade) makes the workers'
     * class-data archive, before the master re-executes itself: ~2 s once, so that every worker
     * after starts faster. Without it, or when the lib directory is read-only, workers start
     * without an archive ('mpserver check' says which).
     */
    private static void makeClassDataArchiveIfMissing()
    {
        final CdsArchive archive = CdsArchive.forThisJvm();
        if (archive.isUsable() || !archive.canMake())
        {
            return;
        }
        final long started = System.nanoTime();
        LOG.info("making the workers' class-data archive for this JDK: {} (once)", archive.path());
        try
        {
            archive.make(WorkerLauncher.startOptions());
            LOG.info("class-data archive made in {} ms", (System.nanoTime() - started) / 1_000_000L);
        }
        catch (final IOException ex)
        {
            LOG.warn("could not make the workers' class-data archive ({}); workers start without it", ex.getMessage());
        }
    }

    /**
     * The JVM unblocks some signals on its own threads, so the master restarts itself once with
     * its signals blocked and -Xrs: every thread of the new JVM inherits the mask, and the master's
     * signals can then only be taken inside its sigsuspend. Same pid, same stdio, same arguments
     * (an @FILE among them is read again).
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
            final String line = reader.readLine();
            return null == line ? DEFAULT_SOMAXCONN : Integer.parseInt(line.trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            return DEFAULT_SOMAXCONN;
        }
    }

    /** The command line of {@code mpserver}, with its one-line error handling (tests use it too). */
    public static CommandLine commandLine()
    {
        return CommandErrors.install(new CommandLine(new MpServer()));
    }

    public static void main(final String[] args)
    {
        final CommandLine commandLine = commandLine();
        int code;
        try
        {
            code = commandLine.execute(args);
        }
        catch (final Error | RuntimeException ex)
        {
            // what picocli lets through (an Error while binding the C library, say): still one line
            code = CommandErrors.report(commandLine, ex);
        }
        LogManager.shutdown();
        System.exit(code);
    }
}
