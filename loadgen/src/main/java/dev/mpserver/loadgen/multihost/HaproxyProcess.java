package dev.mpserver.loadgen.multihost;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy ({@code haproxy -f FILE -db}: foreground, its log on stderr into a file), started
 * from a configuration text, known by pid and stopped by pid. With a stats socket in its
 * configuration it can say which servers are up.
 */
public final class HaproxyProcess implements AutoCloseable
{
    private static final long START_TIMEOUT_SECONDS = 20;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final String STATUS_COLUMN = "status";

    private final Process process;
    private final Path log;
    private final Path statsSocket;

    private HaproxyProcess(final Process process, final Path log, final Path statsSocket)
    {
        this.process = process;
        this.log = log;
        this.statsSocket = statsSocket;
    }

    /**
     * Writes {@code config} to {@code dir/NAME.cfg}, checks it ({@code haproxy -c}), starts HAProxy and
     * waits until it accepts connections on {@code listenHost:listenPort} (reachable from here, also when
     * it runs in a {@link NetnsHost}).
     *
     * @param prefix      what to run it in ({@code ip netns exec NS}), or empty for this namespace.
     * @param statsSocket the stats socket the configuration opens, or null.
     */
    public static HaproxyProcess start(final List<String> prefix, final Path dir, final String name, final String config,
        final String listenHost, final int listenPort, final Path statsSocket) throws IOException
    {
        final Path file = dir.resolve(name + ".cfg");
        Files.writeString(file, config);
        ShortCommand.run(List.of("haproxy", "-c", "-q", "-f", file.toString()));
        final Path log = dir.resolve(name + ".log");
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("haproxy", "-db", "-f", file.toString()));
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final HaproxyProcess haproxy = new HaproxyProcess(process, log, statsSocket);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IOException("haproxy exited with status " + process.exitValue() + ": " + haproxy.logText());
            }
            if (accepts(listenHost, listenPort) && (null == statsSocket || Files.exists(statsSocket)))
            {
                return haproxy;
            }
            if (System.nanoTime() > deadline)
            {
                haproxy.close();
                throw new IOException("haproxy did not listen on " + listenHost + ":" + listenPort + " within "
                    + START_TIMEOUT_SECONDS + " s: " + haproxy.logText());
            }
            sleep(20);
        }
    }

    public long pid()
    {
        return process.pid();
    }

    public Path log()
    {
        return log;
    }

    public String logText()
    {
        try
        {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (final IOException ex)
        {
            return "(cannot read " + log + ": " + ex.getMessage() + ")";
        }
    }

    /**
     * The status HAProxy shows for one server of one backend ("UP", "DOWN", "UP 1/2" while rising,
     * "DOWN 1/2" while falling, "no check"), from its stats socket's {@code show stat}.
     */
    public String status(final String backend, final String server) throws IOException
    {
        final String[] lines = statsCommand("show stat").split("\n");
        if (lines.length == 0 || !lines[0].startsWith("# "))
        {
            throw new IOException("unexpected answer to show stat: " + String.join("\n", lines));
        }
        final List<String> header = List.of(lines[0].substring(2).split(","));
        final int status = header.indexOf(STATUS_COLUMN);
        for (final String line : lines)
        {
            final String[] fields = line.split(",", -1);
            if (fields.length > status && fields[0].equals(backend) && fields[1].equals(server))
            {
                return fields[status];
            }
        }
        throw new IOException("no server " + backend + "/" + server + " in show stat");
    }

    /** Polls {@link #status} until it is exactly {@code wanted}; returns the milliseconds it took. */
    public long awaitStatus(final String backend, final String server, final String wanted, final long timeoutMillis)
        throws IOException
    {
        final long start = System.nanoTime();
        String now = status(backend, server);
        while (!now.equals(wanted))
        {
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(timeoutMillis))
            {
                throw new IOException(backend + "/" + server + " is " + now + ", not " + wanted + ", after " + timeoutMillis + " ms");
            }
            sleep(10);
            now = status(backend, server);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private String statsCommand(final String command) throws IOException
    {
        if (null == statsSocket)
        {
            throw new IllegalStateException("this HAProxy has no stats socket");
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(statsSocket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            final StringBuilder answer = new StringBuilder();
            while (channel.read(buffer) >= 0)
            {
                buffer.flip();
                answer.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
            }
            return answer.toString();
        }
    }

    /** Stops HAProxy by pid: SIGTERM (it stops at once), SIGKILL if it has not after a while. */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
            try
            {
                if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                    process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A port nobody listens on now, on 127.0.0.1: HAProxy cannot bind port 0 and say which one it got. */
    public static int freeLoopbackPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(final String host, final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(host, port), 200);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void sleep(final long millis) throws IOException
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }
}
