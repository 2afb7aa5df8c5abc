package dev.mpserver.protocol.posix;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test support: a child JVM started with posix_spawn, fds placed from 3 upwards, reaped by pid. */
public final class ChildJvm implements AutoCloseable
{
    public static final int FIRST_CHILD_FD = 3;

    private final int pid;
    private int exitCode = -1;

    private ChildJvm(final int pid)
    {
        this.pid = pid;
    }

    public static ChildJvm start(final Class<?> mainClass, final int[] childFds, final SigSet mask, final String... args)
    {
        final List<String> argv = new ArrayList<>();
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        argv.add(java);
        argv.add("-Xss512k");
        argv.add("-XX:+UseSerialGC");
        argv.add("-XX:TieredStopAtLevel=1");
        argv.add("-cp");
        argv.add(System.getProperty("java.class.path"));
        argv.add(mainClass.getName());
        argv.addAll(List.of(args));
        final List<String> env = new ArrayList<>();
        for (final Map.Entry<String, String> e : System.getenv().entrySet())
        {
            env.add(e.getKey() + "=" + e.getValue());
        }
        return new ChildJvm(ProcessSpawner.spawn(java, argv, env, FIRST_CHILD_FD, childFds, null, mask));
    }

    public int pid()
    {
        return pid;
    }

    /** @return the exit code (128 + signal if killed); kills the child and fails if it outlives the timeout. */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (exitCode < 0)
        {
            final int status = Posix.reap(pid);
            if (status >= 0)
            {
                exitCode = Posix.exitCode(status);
                break;
            }
            if (System.nanoTime() > deadline)
            {
                close();
                throw new AssertionError("child " + pid + " did not exit within " + timeout + " " + unit);
            }
            Thread.sleep(5);
        }
        return exitCode;
    }

    /** Kills (by pid) and reaps the child if it is still running. */
    @Override
    public void close()
    {
        if (exitCode < 0)
        {
            Posix.process().kill(pid, Signals.SIGKILL);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline)
            {
                final int status = Posix.reap(pid);
                if (status >= 0)
                {
                    exitCode = Posix.exitCode(status);
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }
}
