package dev.mpserver.protocol.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line {@code mpserver} prints on stdout once it serves, and what whoever started it reads
 * its port and pid from (the bench, the multi-host cluster, the tests, {@code scripts/demo}):
 * <pre>
 * mpserver ready port=8935 pid=5136 workers=2
 * </pre>
 * {@code workers} counts the workers that reported READY (0 in single-process mode). The bench's
 * C epoll server prints the same line ({@code scripts/reference/epoll_server.c}).
 */
public record ReadyLine(int port, long pid, int workers)
{
    public static final String PREFIX = "mpserver ready";

    private static final Pattern LINE = Pattern.compile(PREFIX + " port=(\\d+) pid=(\\d+) workers=(\\d+)");

    /** @return the ready line in {@code text} (one line or a whole output), or null if there is none yet */
    public static ReadyLine find(final CharSequence text)
    {
        final Matcher line = LINE.matcher(text);
        return line.find()
            ? new ReadyLine(Integer.parseInt(line.group(1)), Long.parseLong(line.group(2)), Integer.parseInt(line.group(3)))
            : null;
    }

    /**
     * Reads {@code process}'s stdout up to its ready line (lines before it are skipped; nothing after
     * it is read).
     *
     * @throws IOException if the process closes its stdout (exits) first, or prints no ready line within
     *         {@code timeout}; the process is left as it is (its starter stops it, by pid)
     */
    public static ReadyLine await(final Process process, final Duration timeout) throws IOException
    {
        final CompletableFuture<ReadyLine> ready = new CompletableFuture<>();
        final Thread reader = new Thread(() -> readUntilReady(process, ready), "ready-line-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        try
        {
            return ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IOException("no ready line within " + timeout.toMillis() + " ms");
        }
        catch (final ExecutionException ex)
        {
            throw new IOException(ex.getCause().getMessage(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the ready line", ex);
        }
    }

    private static void readUntilReady(final Process process, final CompletableFuture<ReadyLine> ready)
    {
        // Not closed: closing the stream would leave the process a stdout it can no longer write to.
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        try
        {
            String text;
            while (null != (text = out.readLine()))
            {
                final ReadyLine line = find(text);
                if (null != line)
                {
                    ready.complete(line);
                    return;
                }
            }
            ready.completeExceptionally(new IOException("exited before its ready line"));
        }
        catch (final IOException ex)
        {
            ready.completeExceptionally(new IOException("cannot read its stdout: " + ex.getMessage(), ex));
        }
    }

    /** The line itself, as the server prints it. */
    @Override
    public String toString()
    {
        return PREFIX + " port=" + port + " pid=" + pid + " workers=" + workers;
    }
}
