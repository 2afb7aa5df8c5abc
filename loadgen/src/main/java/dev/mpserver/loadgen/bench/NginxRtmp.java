package dev.mpserver.loadgen.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * nginx-rtmp, the peer of the RTMP benchmark (Debian's nginx-light with libnginx-mod-rtmp):
 * configured by the bench in a temporary directory, listening on 127.0.0.1 only, run in the
 * foreground as the bench's child and stopped by its pid.
 *
 * <pre>
 *   load_module .../ngx_rtmp_module.so;  worker_processes N;  rtmp { server { listen 127.0.0.1:PORT;
 *     chunk_size 4096; application live { live on; } } }
 * </pre>
 * No {@code rtmp_auto_push}: the point is what a stock multi-worker nginx-rtmp does with players
 * accepted by a worker other than their publisher's.
 */
final class NginxRtmp implements AutoCloseable
{
    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_rtmp_module.so");

    private final Process process;
    private final Path dir;
    private final int port;

    private NginxRtmp(final Process process, final Path dir, final int port)
    {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** @return why nginx-rtmp cannot run here, or null if it can */
    static String unavailable()
    {
        if (!Files.isExecutable(NGINX))
        {
            return NGINX + " is not installed (Debian: apt-get install nginx-light libnginx-mod-rtmp)";
        }
        if (!Files.isRegularFile(MODULE))
        {
            return MODULE + " is not installed (Debian: apt-get install libnginx-mod-rtmp)";
        }
        return null;
    }

    static NginxRtmp start(final int workers) throws IOException, InterruptedException
    {
        final Path dir = Files.createTempDirectory("mpserver-bench-nginx-rtmp-");
        final int port = freePort();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
            "load_module " + MODULE + ";",
            "worker_processes " + workers + ";",
            "pid " + dir.resolve("nginx.pid") + ";",
            "error_log " + dir.resolve("error.log") + " warn;",
            "events { worker_connections 4096; }",
            "rtmp {",
            "    server {",
            "        listen 127.0.0.1:" + port + ";",
            "        chunk_size 4096;",
            "        application live { live on; }",
            "    }",
            "}",
            ""));
        final Process process = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
            "-e", dir.resolve("error.log").toString(), "-g", "daemon off;")
            .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final NginxRtmp nginx = new NginxRtmp(process, dir, port);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive())
        {
            try (Socket probe = new Socket())
            {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return nginx;
            }
            catch (final IOException notYet)
            {
                Thread.sleep(50);
            }
        }
        nginx.close();
        throw new IOException("nginx-rtmp did not start; see " + dir);
    }

    int port()
    {
        return port;
    }

    long pid()
    {
        return process.pid();
    }

    /** The master and its workers. */
    List<Long> pids()
    {
        final List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.toHandle().children().forEach(child -> pids.add(child.pid()));
        return pids;
    }

    @Override
    public void close() throws InterruptedException
    {
        final List<ProcessHandle> workers = process.toHandle().children().toList();
        if (process.isAlive())
        {
            process.destroy(); // SIGTERM to its pid: nginx's fast shutdown
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        for (final ProcessHandle worker : workers)
        {
            worker.destroyForcibly(); // by pid, only if a stuck master left it behind
        }
    }

    /** A port free a moment ago (nginx binds it itself, so the race is the bench's to lose). */
    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    Path dir()
    {
        return dir;
    }
}
