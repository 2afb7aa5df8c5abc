package dev.mpserver.master.process;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.launch.WorkerLaunch;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.ProcessSpawner;
import dev.mpserver.protocol.posix.SigSet;
import org.apache.logging.log4j.LogManager;

/**
 * Builds a worker's command line and starts it with posix_spawn: channel on fd 3, listener on
 * fd 4, every other fd closed, an empty signal mask and default dispositions for the master's
 * signals (the master blocks and handles them; a worker must not inherit that).
 */
public final class WorkerLauncher
{
    /**
     * Workers log through the Log4j2 API's simple backend (stderr, at the master's level, in the
     * master's line format: see {@code WorkerLogFormat}). A worker logs a few lifecycle lines;
     * log4j-core's configuration machinery was half of every worker's spawn-to-READY (docs/benchmarks.md).
     */
    private static List<String> workerLogging()
    {
        return List.of(
            "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
            "-Dorg.apache.logging.log4j.simplelog.level=" + LogManager.getRootLogger().getLevel(),
            "-Dorg.apache.logging.log4j.simplelog.showdatetime=true",
            "-Dorg.apache.logging.log4j.simplelog.StatusLogger.level=WARN");
    }

    /**
     * An idle worker's resident memory is mostly glibc heap the JIT compilers used at start-up
     * and freed; glibc keeps it. Trimming the native heap every 2 s gives most of it back (measured
     * in docs/benchmarks.md). The option is experimental in JDK 17 and exists
     * from 17.0.9 on: asked of this JVM, which is the one workers run.
     */
    private static final List<String> NATIVE_HEAP_TRIM = supportsVmOption("TrimNativeHeapInterval")
        ? List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=2000")
        : List.of();

    /**
     * JNR's x86 stubs are native code it assembles for every bound function at start-up, with 29
     * classes of Java 5 bytecode that CDS cannot archive: part of every worker's spawn-to-READY
     * (docs/benchmarks.md).
     * Without them calls go through jffi's JNI invokers, a few ns more per call.
     */
    private static final List<String> NATIVE_BINDING = List.of("-Djnr.ffi.x86asm.enabled=false");

    /**
     * JDK 24 and later warn (on stderr, in every worker's log) when JNR loads its native stub and
     * uses sun.misc.Unsafe unless told that this is intended; older JDKs do not know the options.
     */
    private static final List<String> NATIVE_ACCESS = Runtime.version().feature() >= 24
        ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
        : List.of();

    /** Worker JVM options that decide class-data sharing themselves. */
    private static final List<String> CLASS_DATA_OPTIONS = List.of("-XX:SharedArchiveFile", "-XX:AOTCache", "-XX:AOTMode",
        "-XX:ArchiveClassesAtExit", "-XX:+AutoCreateSharedArchive", "-XX:-UseSharedSpaces", "-Xshare");

    /** Where {@code mvn package} unpacks jffi's native stubs, one directory per platform. */
    private static final String JFFI_STUBS = "jni";

    /**
     * util-linux's {@code chrt}, which starts a worker in SCHED_IDLE ({@code chrt --idle 0 java …}):
     * glibc's posix_spawn takes no SCHED_IDLE, and the JVM's own start is a good part of what a
     * replacement costs the workers beside it. Null where there is none.
     */
    private static final String CHRT = executable("chrt");

    /**
     * util-linux's {@code taskset}, which keeps a worker started in SCHED_IDLE on one CPU until it
     * is warm ({@code chrt --idle 0 taskset -c N java …}). SCHED_IDLE keeps a starting JVM's share
     * of the CPU tiny, but on this project's machines (Linux 6.18, PREEMPT_NONE, HZ 250) a serving
     * thread woken onto a CPU where an idle-policy thread runs may wait for the next tick, 4 ms; a
     * JVM's start and warm-up keep several threads busy, so every CPU had one. Pinned, the bench's
     * respawn p99 under the C client was 0.87-1.31x warm against 1.44-2.57x (loadgen's own figure
     * went the other way; docs/benchmarks.md, tenth session). The worker takes its master's CPUs
     * back when warm. Null where there is none.
     */
    private static final String TASKSET = executable("taskset");

    private final String java;
    private final List<String> jvmOptions;
    private final String classPath;
    private final List<String> classDataSharing;
    private final List<String> startOptions;
    private final List<String> environment;
    private final SigSet defaultSignals;
    private final String mainClass;
    private final ClassPathJars jars;

    public WorkerLauncher(final List<String> jvmOptions, final SigSet defaultSignals, final String mainClass)
    {
        this.mainClass = mainClass;
        this.java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = ClassPath.absolute(System.getProperty("java.class.path"));
        this.jars = ClassPathJars.of(classPath);
        this.classDataSharing = choosesOwnClassData(jvmOptions) ? List.of() : CdsArchive.forThisJvm().workerOptions();
        this.startOptions = startOptions(classPath);
        this.defaultSignals = defaultSignals;
        final List<String> env = new ArrayList<>();
        for (final Map.Entry<String, String> e : System.getenv().entrySet())
        {
            env.add(e.getKey() + "=" + e.getValue());
        }
        this.environment = List.copyOf(env);
    }

    /**
     * Whether {@code --worker-jvm-opts} says how workers share class data (an AOT cache, another
     * archive, CDS off): ours then stays out, as their options win, and JDK 25 refuses
     * {@code -XX:AOTCache} next to {@code -XX:SharedArchiveFile} (the worker would not start).
     */
    public static boolean choosesOwnClassData(final List<String> jvmOptions)
    {
        for (final String option : jvmOptions)
        {
            for (final String classData : CLASS_DATA_OPTIONS)
            {
                if (option.startsWith(classData))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * What every worker JVM starts with, before its archive and {@code --worker-jvm-opts}: also
     * what the archive's training run starts with, so that the archive holds what workers load.
     */
    public static List<String> startOptions(final String classPath)
    {
        final List<String> options = new ArrayList<>(workerLogging());
        options.addAll(nativeStubOptions(classPath, com.kenai.jffi.Platform.getPlatform().getName()));
        options.addAll(NATIVE_BINDING);
        options.addAll(NATIVE_ACCESS);
        return options;
    }

    /** {@link #startOptions} for this JVM's class path. */
    public static List<String> startOptions()
    {
        return startOptions(ClassPath.absolute(System.getProperty("java.class.path")));
    }

    /**
     * {@code -Djffi.boot.library.path} for jffi's native stub as {@code mvn package} unpacked it
     * ({@code lib/jni/<platform>}), if there is one for this platform. Without it every worker's
     * jffi copies the stub out of its jar into a temporary file, checks its SHA-256 and loads it, in
     * its spawn-to-READY (docs/benchmarks.md). jffi falls back to that copy if the directory does not do.
     *
     * @param platform jffi's name of this platform, e.g. {@code x86_64-Linux}
     */
    static List<String> nativeStubOptions(final String classPath, final String platform)
    {
        final Path lib = ClassPath.libDirectory(classPath);
        final Path stubs = null == lib ? null : lib.resolve(JFFI_STUBS).resolve(platform);
        return null != stubs && Files.isDirectory(stubs) ? List.of("-Djffi.boot.library.path=" + stubs) : List.of();
    }

    private static boolean supportsVmOption(final String name)
    {
        try
        {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * The one CPU a worker started in SCHED_IDLE runs on until warm: the last of the master's,
     * so that the others never hold an idle-policy thread. -1 (not pinned) without taskset, or
     * with one CPU only.
     */
    static int startCpu()
    {
        if (null == TASKSET)
        {
            return -1;
        }
        final BitSet cpus = Posix.cpuAffinity(0);
        return cpus.cardinality() > 1 ? cpus.length() - 1 : -1;
    }

    private static String executable(final String name)
    {
        return Stream.of("/usr/bin/" + name, "/bin/" + name).filter(path -> Files.isExecutable(Path.of(path))).findFirst().orElse(null);
    }

    /** True if a worker can be started in SCHED_IDLE ({@link WorkerConfig#idleUntilWarm}): there is a chrt. */
    public static boolean canStartIdle()
    {
        return null != CHRT;
    }

    /** @return null while the class path's jars are this master's, else what changed (see {@link ClassPathJars}) */
    public String buildChange()
    {
        return jars.change();
    }

    /**
     * @return the pid of a worker serving {@code config} over {@code channelFd} and {@code listenFd};
     *         in SCHED_IDLE, all of its JVM, if {@code config} says so and {@link #canStartIdle}
     */
    public int spawn(final WorkerConfig config, final int channelFd, final int listenFd)
    {
        final List<String> argv = new ArrayList<>();
        final boolean idle = config.idleUntilWarm && canStartIdle();
        if (idle)
        {
            argv.addAll(List.of(CHRT, "--idle", "0"));
            final int cpu = startCpu();
            if (cpu >= 0)
            {
                argv.addAll(List.of(TASKSET, "-c", Integer.toString(cpu)));
            }
        }
        argv.add(java);
        argv.addAll(startOptions);
        argv.addAll(classDataSharing);
        argv.addAll(NATIVE_HEAP_TRIM);
        argv.addAll(jvmOptions); // after ours: a -D given with --worker-jvm-opts wins
        argv.add("-cp");
        argv.add(classPath);
        argv.add(mainClass);
        argv.addAll(config.toArguments());
        return ProcessSpawner.spawn(
            idle ? CHRT : java, argv, environment, WorkerLaunch.CHANNEL_FD, new int[] {channelFd, listenFd}, defaultSignals, null);
    }
}
