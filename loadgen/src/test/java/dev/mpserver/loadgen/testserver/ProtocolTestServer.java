package dev.mpserver.loadgen.testserver;

import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.testkit.Eventually;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A tiny blocking server (a thread per client, fine at test sizes) that speaks the client wire
 * protocol on 127.0.0.1, an ephemeral port, and counts what it saw. Hooks make it stall, misroute or
 * misbehave on purpose. {@link #close()} stops every thread it started.
 */
public final class ProtocolTestServer implements AutoCloseable
{
    /** Answers an 'I': which pid and shard to report for a client. */
    @FunctionalInterface
    public interface IdentifyPolicy
    {
        int[] pidAndShard(int shard, long clientSerial);
    }

    public static final int DEFAULT_PID = 4242;
    /** What {@link Misbehaviour.Kind#BROADCASTS} passes on, body bytes each: short, past loadgen's buffer, the largest. */
    public static final int[] BROADCAST_BODY_LENGTHS = {10, 600, WireProtocol.MAX_BODY_LENGTH};
    public static final IdentifyPolicy ONE_WORKER = (shard, serial) -> new int[] {DEFAULT_PID, shard};

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "test-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong serial = new AtomicLong();

    private volatile IntFunction<Misbehaviour> misbehaviour = shard -> Misbehaviour.NONE;
    private volatile IdentifyPolicy identifyPolicy = ONE_WORKER;
    private volatile long stallAfterMessages = -1;
    private volatile long stallMillis;
    private final AtomicBoolean stallDone = new AtomicBoolean();
    private volatile long stalledUntilNanos;
    private volatile long holdUntilIdentifies;
    private volatile long holdMaxNanos;
    private final AtomicLong holdDeadlineNanos = new AtomicLong();

    public final AtomicLong accepted = new AtomicLong();
    public final AtomicLong controls = new AtomicLong();
    public final AtomicLong messages = new AtomicLong();
    public final AtomicLong replies = new AtomicLong();
    public final AtomicLong identifies = new AtomicLong();
    /** Clients that closed cleanly (EOF at a frame boundary) after at least one message. */
    public final AtomicLong cleanCloses = new AtomicLong();
    public final AtomicInteger open = new AtomicInteger();

    public ProtocolTestServer() throws IOException
    {
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        threads.execute(this::acceptLoop);
    }

    public int port()
    {
        return listener.getLocalPort();
    }

    public ProtocolTestServer misbehave(final IntFunction<Misbehaviour> byShard)
    {
        misbehaviour = byShard;
        return this;
    }

    public ProtocolTestServer identify(final IdentifyPolicy policy)
    {
        identifyPolicy = policy;
        return this;
    }

    /** Once {@code afterMessages} messages have arrived, stop answering anyone for {@code millis}. */
    public ProtocolTestServer stallOnce(final long afterMessages, final long millis)
    {
        stallMillis = millis;
        stallAfterMessages = afterMessages;
        return this;
    }

    /**
     * Answers no 'I' until {@code identifiesInAll} have arrived (from every client together), or for
     * at most {@code maxMillis} after the first: a barrier that puts every client in the server at
     * once, from its first reply to its 'I' answered, however slowly each is served before it. (A
     * barrier on the first messages instead still let a client finish before another of its shard
     * had its first reply, when the threads it released woke late on a busy CI run.)
     */
    public ProtocolTestServer holdIdentifyRepliesUntil(final long identifiesInAll, final long maxMillis)
    {
        holdMaxNanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
        holdUntilIdentifies = identifiesInAll;
        return this;
    }

    /** Wait until every client connection has ended on the server's side too. */
    public void awaitIdle(final long timeoutMillis) throws InterruptedException
    {
        Eventually.eventually(timeoutMillis, () -> open.get() == 0);
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        listener.close();
        for (final Socket s : clients)
        {
            closeQuietly(s);
        }
        threads.shutdownNow();
        if (!threads.awaitTermination(5, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("test server threads did not stop");
        }
    }

    private void acceptLoop()
    {
        while (!closed.get())
        {
            final Socket socket;
            try
            {
                socket = listener.accept();
            }
            catch (final IOException e)
            {
                return;
            }
            accepted.incrementAndGet();
            open.incrementAndGet();
            clients.add(socket);
            try
            {
                threads.execute(() -> serve(socket));
            }
            catch (final RuntimeException rejected)
            {
                clients.remove(socket);
                open.decrementAndGet();
                closeQuietly(socket);
            }
        }
    }

    private void serve(final Socket socket)
    {
        try
        {
            socket.setTcpNoDelay(true);
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = socket.getOutputStream();
            converse(socket, in, out);
        }
        catch (final IOException e)
        {
            // The client went away or the server is closing: the conversation is over.
        }
        finally
        {
            clients.remove(socket);
            closeQuietly(socket);
            open.decrementAndGet();
        }
    }

    private void converse(final Socket socket, final InputStream in, final OutputStream out) throws IOException
    {
        final long clientSerial = serial.getAndIncrement();
        if (in.read() != WireProtocol.CONTROL)
        {
            sendError(out, 1, "bad frame");
            return;
        }
        final int shard = readIntLittleEndian(in);
        controls.incrementAndGet();
        final Misbehaviour plan = misbehaviour.apply(shard);
        int answered = 0;
        while (true)
        {
            final int type = in.read();
            if (type < 0)
            {
                if (answered > 0)
                {
                    cleanCloses.incrementAndGet();
                }
                return;
            }
            if (type == WireProtocol.MESSAGE)
            {
                skipToTerminator(in);
                final long seen = messages.incrementAndGet();
                stallIfDue(seen);
                if (plan.kind() != Misbehaviour.Kind.NONE && answered == plan.afterReplies())
                {
                    if (misbehave(plan, socket, in, out))
                    {
                        return;
                    }
                }
                out.write(WireProtocol.PING_REPLY);
                replies.incrementAndGet();
                answered++;
            }
            else if (type == WireProtocol.IDENTIFY)
            {
                identifies.incrementAndGet();
                holdIfDue();
                final int[] answer = identifyPolicy.pidAndShard(shard, clientSerial);
                out.write(identifyReply(answer[0], 0, answer[1], 1));
            }
            else if (type == WireProtocol.BROADCAST)
            {
                skipToTerminator(in);
            }
            else
            {
                sendError(out, 1, "bad frame");
                return;
            }
        }
    }

    /** @return true when the conversation is over. */
    private boolean misbehave(final Misbehaviour plan, final Socket socket, final InputStream in, final OutputStream out)
        throws IOException
    {
        switch (plan.kind())
        {
            case GARBAGE:
                out.write("xyz\0not a frame".getBytes(StandardCharsets.US_ASCII));
                drain(in);
                return true;
            case CLOSE:
                return true;
            case ERROR:
                sendError(out, plan.code(), "test error");
                return true;
            case RESET:
                socket.setSoLinger(true, 0);
                return true;
            case SILENT:
                drain(in);
                return true;
            case PARTIAL_THEN_CLOSE:
                out.write(WireProtocol.PING_REPLY, 0, WireProtocol.PING_REPLY.length / 2);
                out.flush();
                return true;
            case UNSOLICITED_IDENTIFY:
                out.write(identifyReply(DEFAULT_PID, 0, 0, 1));
                drain(in);
                return true;
            case BROADCASTS:
                for (final int bodyLength : BROADCAST_BODY_LENGTHS)
                {
                    out.write(broadcast(bodyLength));
                }
                return false;
            case ENDLESS_BROADCAST:
                final byte[] endless = broadcast(WireProtocol.MAX_BODY_LENGTH + 1);
                endless[endless.length - 1] = 'x';
                out.write(endless);
                drain(in);
                return true;
            default:
                return false;
        }
    }

    private void holdIfDue()
    {
        if (holdUntilIdentifies <= 0)
        {
            return;
        }
        holdDeadlineNanos.compareAndSet(0, System.nanoTime() + holdMaxNanos);
        while (identifies.get() < holdUntilIdentifies && System.nanoTime() - holdDeadlineNanos.get() < 0)
        {
            try
            {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void stallIfDue(final long seen)
    {
        if (stallAfterMessages >= 0 && seen >= stallAfterMessages && stallDone.compareAndSet(false, true))
        {
            stalledUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stallMillis);
        }
        final long until = stalledUntilNanos;
        long left;
        while ((left = until - System.nanoTime()) > 0)
        {
            try
            {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static byte[] identifyReply(final int pid, final int slot, final int shard, final int clients)
    {
        return ByteBuffer.allocate(WireProtocol.IDENTIFY_REPLY_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .put(WireProtocol.IDENTIFY).putInt(pid).putInt(slot).putInt(shard).putInt(clients).array();
    }

    /** A 'B' frame whose body is {@code bodyLength} bytes of text. */
    private static byte[] broadcast(final int bodyLength)
    {
        final byte[] frame = new byte[WireProtocol.BODY_OFFSET + bodyLength + WireProtocol.TERMINATOR_LENGTH];
        frame[WireProtocol.TYPE_OFFSET] = WireProtocol.BROADCAST;
        java.util.Arrays.fill(frame, WireProtocol.BODY_OFFSET, WireProtocol.BODY_OFFSET + bodyLength, (byte)'b');
        return frame;
    }

    private static void sendError(final OutputStream out, final int code, final String text) throws IOException
    {
        final byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = new byte[body.length + 3];
        frame[0] = WireProtocol.ERROR;
        frame[1] = (byte)code;
        System.arraycopy(body, 0, frame, 2, body.length);
        out.write(frame);
    }

    private static int readIntLittleEndian(final InputStream in) throws IOException
    {
        int value = 0;
        for (int i = 0; i < Integer.BYTES; i++)
        {
            final int b = in.read();
            if (b < 0)
            {
                throw new EOFException("partial 'C'");
            }
            value |= b << (Byte.SIZE * i);
        }
        return value;
    }

    private static void skipToTerminator(final InputStream in) throws IOException
    {
        int b;
        while ((b = in.read()) != WireProtocol.TERMINATOR)
        {
            if (b < 0)
            {
                throw new EOFException("partial frame");
            }
        }
    }

    private static void drain(final InputStream in) throws IOException
    {
        final byte[] sink = new byte[256];
        try
        {
            while (in.read(sink) >= 0)
            {
                // Keep reading so that closing never turns into a reset for unread bytes.
            }
        }
        catch (final SocketException reset)
        {
            // The client closed first, possibly with a reset: nothing more to read.
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Closing is best effort.
        }
    }
}
