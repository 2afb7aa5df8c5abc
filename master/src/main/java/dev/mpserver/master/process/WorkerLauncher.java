package dev.mpserver.master.process;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final String java;
    private final List<String> jvmOptions;
    private final String classPath;
    private final List<String> environment;
    private final SigSet defaultSignals;
    private final String mainClass;

    public WorkerLauncher(final List<String> jvmOptions, final SigSet defaultSignals, final String mainClass)
    {
        this.mainClass = mainClass;
        this.java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = System.getProperty("java.class.path");
        this.defaultSignals = defaultSignals;
        final List<String> env = new ArrayList<>();
        for (final Map.Entry<String, String> e : System.getenv().entrySet())
        {
            env.add(e.getKey() + "=" + e.getValue());
        }
        this.environment = List.copyOf(env);
    }

    /** @return the pid of a worker serving {@code config} over {@code channelFd} and {@code listenFd}. */
    public int spawn(final WorkerConfig config, final int channelFd, final int listenFd)
    {
        final List<String> argv = new ArrayList<>();
        argv.add(java);
        argv.addAll(jvmOptions);
        argv.add("-cp");
        argv.add(classPath);
        argv.add(mainClass);
        argv.addAll(config.toArguments());
        return ProcessSpawner.spawn(
            java, argv, environment, WorkerMain.CHANNEL_FD, new int[] {channelFd, listenFd}, defaultSignals, null);
    }
}
