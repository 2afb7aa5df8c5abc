package dev.mpserver.master.process;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.mpserver.protocol.posix.ProcessSpawner;
import dev.mpserver.protocol.posix.SigSet;
import dev.mpserver.worker.WorkerMain;
import dev.mpserver.worker.loop.WorkerConfig;

/**
 * Builds a worker's command line and starts it with posix_spawn: channel on fd 3, listener on
 * fd 4, every other fd closed, an empty signal mask and default dispositions for the master's
 * signals (the master blocks and handles them; a worker must not inherit that).
 */
public final class WorkerLauncher
{
    /**
     * Workers log through the Log4j2 API's simple backend (stderr, level from the master's
     * {@code -Dmpserver.log.level}, default info). A worker logs a few lifecycle lines; log4j-core's
     * configuration machinery was half of every worker's spawn-to-READY (docs/benchmarks.md).
     */
    private static final List<String> WORKER_LOGGING = List.of(
        "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
        "-Dorg.apache.logging.log4j.simplelog.level=" + System.getProperty("mpserver.log.level", "info").toUpperCase(Locale.ROOT),
        "-Dorg.apache.logging.log4j.simplelog.showdatetime=true",
        "-Dorg.apache.logging.log4j.simplelog.dateTimeFormat=HH:mm:ss.SSS",
        "-Dorg.apache.logging.log4j.simplelog.StatusLogger.level=WARN");

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

    private static final String MASTER_JAR = "mpserver-master.jar";
    private static final String CDS_ARCHIVE = "worker.jsa";
    /** Where {@code mvn package} unpacks jffi's native stubs, one directory per platform. */
    private static final String JFFI_STUBS = "jni";

    private final String java;
    private final List<String> jvmOptions;
    private final String classPath;
    private final List<String> classDataSharing;
    private final List<String> nativeStub;
    private final List<String> environment;
    private final SigSet defaultSignals;
    private final String mainClass;

    public WorkerLauncher(final List<String> jvmOptions, final SigSet defaultSignals, final String mainClass)
    {
        this.mainClass = mainClass;
        this.java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = absolute(System.getProperty("java.class.path"));
        this.classDataSharing = classDataSharingOptions(classPath);
        this.nativeStub = nativeStubOptions(classPath, com.kenai.jffi.Platform.getPlatform().getName());
        this.defaultSignals = defaultSignals;
        final List<String> env = new ArrayList<>();
        for (final Map.Entry<String, String> e : System.getenv().entrySet())
        {
            env.add(e.getKey() + "=" + e.getValue());
        }
        this.environment = List.copyOf(env);
    }

    /** The class path with every entry absolute: workers must not depend on the master's working directory, nor CDS on spelling. */
    static String absolute(final String classPath)
    {
        final StringBuilder absolute = new StringBuilder(classPath.length() * 2);
        for (final String entry : classPath.split(File.pathSeparator))
        {
            if (!entry.isEmpty())
            {
                absolute.append(absolute.length() > 0 ? File.pathSeparator : "").append(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return absolute.toString();
    }

    /** The directory holding {@code mpserver-master.jar} on {@code classPath}, or null. */
    private static Path libDirectory(final String classPath)
    {
        for (final String entry : classPath.split(File.pathSeparator))
        {
            final Path jar = Path.of(entry);
            if (MASTER_JAR.equals(String.valueOf(jar.getFileName())))
            {
                return jar.toAbsolutePath().getParent();
            }
        }
        return null;
    }

    /**
     * {@code -XX:SharedArchiveFile} for the archive {@code mvn package} trained next to
     * {@code mpserver-master.jar}, if it was trained with exactly our class path (CDS would refuse it
     * otherwise); none else. JVM CDS messages are silenced: a JDK update that invalidates the archive
     * must not print on the master's stdout, where the ready line goes.
     */
    static List<String> classDataSharingOptions(final String classPath)
    {
        final Path lib = libDirectory(classPath);
        if (null == lib)
        {
            return List.of();
        }
        final Path archive = lib.resolve(CDS_ARCHIVE);
        try
        {
            if (Files.isReadable(archive) && absolute(Files.readString(lib.resolve(CDS_ARCHIVE + ".classpath")).strip()).equals(classPath))
            {
                return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off");
            }
        }
        catch (final IOException ex)
        {
            return List.of(); // no archive: workers start without it
        }
        return List.of();
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
        final Path lib = libDirectory(classPath);
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

    /** @return the pid of a worker serving {@code config} over {@code channelFd} and {@code listenFd}. */
    public int spawn(final WorkerConfig config, final int channelFd, final int listenFd)
    {
        final List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.addAll(WORKER_LOGGING);
        argv.addAll(classDataSharing);
        argv.addAll(nativeStub);
        argv.addAll(NATIVE_BINDING);
        argv.addAll(NATIVE_HEAP_TRIM);
        argv.addAll(jvmOptions); // after ours: a -D given with --worker-jvm-opts wins
        argv.add("-cp");
        argv.add(classPath);
        argv.add(mainClass);
        argv.addAll(config.toArguments());
        return ProcessSpawner.spawn(
            java, argv, environment, WorkerMain.CHANNEL_FD, new int[] {channelFd, listenFd}, defaultSignals, null);
    }
}
