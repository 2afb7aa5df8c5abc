package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx with nginx-rtmp-module (Debian: nginx-light + libnginx-mod-rtmp) as a real process: its own
 * nginx.conf in a temp directory (the module loaded, one rtmp server on 127.0.0.1 and a free port,
 * {@code live on}, pid and error log in that directory), started in the foreground with
 * {@code nginx -c CONF -p DIR} so that the process started is the master, and stopped by that pid.
 * The bench's peer and the tests' "any RTMP server".
 */
public final class NginxRtmp implements BenchedServer
{
    public static final Path BINARY = Path.of("/usr/sbin/nginx");
    public static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Process process;
    private final Path dir;
    private final int port;

    private NginxRtmp(final Process process, final Path dir, final int port)
    {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** @return null when nginx and its RTMP module are installed, else what is missing and how to get it. */
    public static String whyUnavailable()
    {
        if (!Files.isExecutable(BINARY))
        {
            return "nginx is not installed (" + BINARY + "; Debian: apt-get install nginx-light libnginx-mod-rtmp)";
        }
        if (!Files.isRegularFile(MODULE))
        {
            return "the nginx RTMP module is not installed (" + MODULE + "; Debian: apt-get install libnginx-mod-rtmp)";
        }
        return null;
    }

    /** Start nginx-rtmp with {@code workers} worker processes on a free loopback port. */
    public static NginxRtmp start(final int workers) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory("loadgen-nginx-rtmp-");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final int port = freePort();
            final Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, config(dir, port, workers), StandardCharsets.UTF_8);
            final Process process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString(), "-p", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
            final NginxRtmp nginx = new NginxRtmp(process, dir, port);
            if (nginx.awaitListening())
            {
                return nginx;
            }
            nginx.stop();
            last = new IOException("nginx-rtmp did not listen on 127.0.0.1:" + port + ": " + nginx.log());
        }
        DirectoryTree.deleteOrSay(dir, "nginx-rtmp");
        throw last;
    }

    static String config(final Path dir, final int port, final int workers)
    {
        return "load_module " + MODULE + ";\n"
            + "daemon off;\n"
            + "master_process on;\n"
            + "worker_processes " + workers + ";\n"
            + "worker_rlimit_nofile 20000;\n"
            + "pid " + dir.resolve("nginx.pid") + ";\n"
            + "error_log " + dir.resolve("error.log") + " warn;\n"
            + "events { worker_connections 16384; }\n"
            + "rtmp {\n"
            + "    server {\n"
            + "        listen 127.0.0.1:" + port + ";\n"
            + "        chunk_size 4096;\n"
            + "        application live { live on; }\n"
            + "    }\n"
            + "}\n";
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket probe = new ServerSocket())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.getLocalPort();
        }
    }

    private boolean awaitListening() throws InterruptedException
    {
        final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline && process.isAlive())
        {
            try (Socket socket = new Socket())
            {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return workerPids().size() > 0 || waitForWorkers();
            }
            catch (final IOException notYet)
            {
                Thread.sleep(50);
            }
        }
        return false;
    }

    private boolean waitForWorkers() throws InterruptedException
    {
        for (int i = 0; i < 100 && workerPids().isEmpty(); i++)
        {
            Thread.sleep(20);
        }
        return !workerPids().isEmpty();
    }

    @Override
    public int port()
    {
        return port;
    }

    /** The master's pid (the process started). */
    public long pid()
    {
        return process.pid();
    }

    @Override
    public List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        pids.add(pid());
        pids.addAll(workerPids());
        return pids;
    }

    /** The worker processes (children of the master). */
    public List<Long> workerPids()
    {
        final List<Long> pids = new ArrayList<>();
        process.toHandle().children().forEach(c -> pids.add(c.pid()));
        return pids;
    }

    public Path dir()
    {
        return dir;
    }

    public String log()
    {
        try
        {
            final Path error = dir.resolve("error.log");
            final Path out = dir.resolve("stdout.log");
            return (Files.exists(error) ? Files.readString(error) : "") + (Files.exists(out) ? Files.readString(out) : "");
        }
        catch (final IOException e)
        {
            return "(no log: " + e + ")";
        }
    }

    /** Stops nginx, then removes its directory (config, pid file, logs: read {@link #log} before). */
    @Override
    public void close() throws InterruptedException
    {
        stop();
        DirectoryTree.deleteOrSay(dir, "nginx-rtmp");
    }

    /** SIGQUIT is graceful for nginx and would wait for the players; SIGTERM (fast stop) to the master's pid, then KILL. */
    private void stop() throws InterruptedException
    {
        final List<Long> workers = workerPids();
        if (process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (final long worker : workers)
        {
            ProcessHandle.of(worker).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
