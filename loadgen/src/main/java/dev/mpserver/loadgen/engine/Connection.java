package dev.mpserver.loadgen.engine;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLERR;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;

import java.nio.ByteBuffer;

import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.ServerReplyHandler;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.DirectBuffer;

/**
 * One connection slot of an engine thread: reused for connection after connection, with its buffers
 * and send-time rings allocated once. State is primitive; nothing is allocated per message. Frames
 * go out through its {@link RequestOutput} and replies come in through its {@link ReplyInput}, both in
 * the slot's own slices of direct memory. Its socket is a plain fd on the engine thread's epoll
 * (edge-triggered, both directions, registered once): a client costs the system calls the C client
 * makes, where NIO added eleven (a dual-stack socket, non-blocking mode, local addresses, a poll in
 * finishConnect, a shutdown before close).
 *
 * <pre>
 * FREE ─open→ CONNECTING ─connected: 'C' + 'M'→ ROUTING ─first reply→ SERVING ─last reply─┐
 *                                                                                          ├→ (IDENTIFYING) → (HOLDING) → ok
 * any state: 'E' → shed · EOF, reset, garbage, timeout → failed · --duration → cut off      ┘
 * </pre>
 */
final class Connection implements ServerReplyHandler
{
    static final int FREE = 0;
    static final int CONNECTING = 1;
    static final int ROUTING = 2;
    static final int SERVING = 3;
    static final int IDENTIFYING = 4;
    static final int HOLDING = 5;

    private static final int READABLE = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
    private static final int NO_SOCKET = -1;

    private final EngineThread engine;
    private final ThreadMetrics metrics;
    private final int slot;
    private final ReplyInput input;
    private final RequestOutput output;
    private final PingPipeline pings;
    private final boolean verify;
    private final long holdNanos;

    private int fd = NO_SOCKET;
    private int state = FREE;
    private long connection;
    private int shard;
    private long intendedStart;
    private long connectStart;
    private long connectedAt;
    private long routeWrittenAt;
    private long lastReplyAt;
    /** Its first reply read: from then on it is certainly in the worker that answers its 'I'. */
    private long firstReplyAt;
    private long lastProgress;
    private long holdUntil;
    private long readNow;

    Connection(
        final EngineThread engine,
        final ThreadMetrics metrics,
        final int slot,
        final ByteBuffer in,
        final ByteBuffer out,
        final int pipeline,
        final int msgs,
        final double msgRate,
        final boolean verify,
        final long holdNanos)
    {
        this.engine = engine;
        this.metrics = metrics;
        this.slot = slot;
        this.input = new ReplyInput(in, metrics);
        this.output = new RequestOutput(out);
        this.pings = new PingPipeline(pipeline, msgs, msgRate);
        this.verify = verify;
        this.holdNanos = holdNanos;
    }

    int slot()
    {
        return slot;
    }

    int state()
    {
        return state;
    }

    /**
     * @return true while loadgen waits for the server (connect, a reply, or the socket taking our bytes),
     * the only times --timeout applies.
     */
    boolean isAwaitingServer()
    {
        return state == CONNECTING || state == IDENTIFYING || pings.hasUnanswered() || output.isPending();
    }

    long lastProgress()
    {
        return lastProgress;
    }

    void open(final long connectionIndex, final int shardId, final long intendedStartNanos)
    {
        connection = connectionIndex;
        shard = shardId;
        intendedStart = intendedStartNanos;
        pings.reset();
        input.clear();
        output.clear();
        state = CONNECTING;
        metrics.increment(Counters.STARTED);
        connectStart = System.nanoTime();
        lastProgress = connectStart;
        final int socket = engine.startConnect(slot);
        if (socket < 0)
        {
            fail(FailureKind.ofErrno(-socket));
            return;
        }
        fd = socket; // connecting: EPOLLOUT (or EPOLLERR) says how it ended
    }

    /** epoll callback with the events of this connection's socket. */
    void onReady(final int events)
    {
        if (state == FREE)
        {
            return;
        }
        if (state == CONNECTING)
        {
            if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0)
            {
                return;
            }
            finishConnect();
        }
        else if ((events & EPOLLOUT) != 0)
        {
            flush();
        }
        // Edge-triggered: bytes that came with the connect's edge have no edge of their own.
        if (state != FREE && state != CONNECTING && (events & READABLE) != 0)
        {
            read((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
        }
    }

    /** Timer callback: a paced message is due or a --hold has ended. */
    void onTimer(final long now)
    {
        if (state == HOLDING)
        {
            finish(Counters.OK);
        }
        else if (state == ROUTING || state == SERVING)
        {
            pump(now);
            flush();
        }
    }

    void timedOut()
    {
        fail(FailureKind.TIMEOUT);
    }

    /** The run is over: a connection that only holds is done; any other is cut off. */
    void cutOff()
    {
        finish(state == HOLDING ? Counters.OK : Counters.CUT_OFF);
    }

    private void finishConnect()
    {
        final int error = engine.socketError(fd);
        if (error != 0)
        {
            fail(FailureKind.ofErrno(error));
            return;
        }
        onConnected(System.nanoTime());
    }

    private void onConnected(final long now)
    {
        metrics.increment(Counters.CONNECTED);
        metrics.record(Latency.CONNECT, now - connectStart);
        if (engine.pacedArrivals())
        {
            metrics.record(Latency.CONNECT_FROM_INTENDED, now - intendedStart);
        }
        connectedAt = now;
        lastProgress = now;
        routeWrittenAt = now;
        state = ROUTING;
        if (shard != WireProtocol.NO_SHARD)
        {
            output.putControl(shard);
        }
        pump(now);
        flush();
    }

    /** Queue every message that is due and fits the pipeline; arm the timer for the next paced one. */
    private void pump(final long now)
    {
        while (pings.hasRoom())
        {
            final long intended = pings.nextDue(connectedAt, now);
            if (intended > now)
            {
                engine.schedule(slot, intended);
                return;
            }
            output.putPing();
            pings.sent(intended, now);
            metrics.increment(Counters.MESSAGES_SENT);
        }
    }

    private void flush()
    {
        final int written = output.flush(fd);
        if (written < 0)
        {
            fail(FailureKind.ofErrno(-written));
        }
        else if (written > 0)
        {
            lastProgress = System.nanoTime();
            metrics.add(Counters.BYTES_WRITTEN, written);
        }
    }

    /**
     * Reads until the socket is drained: a read shorter than the room left says so, edge-triggered,
     * since bytes that come later raise a new edge. Not so the end of the stream once its edge has
     * come with the last bytes: then reading goes on until EOF (or EAGAIN).
     *
     * @param peerClosed the edge said the peer shut down or the socket failed
     */
    private void read(final boolean peerClosed)
    {
        while (state != FREE)
        {
            final ByteBuffer buffer = input.buffer();
            if (!buffer.hasRemaining())
            {
                return; // parse keeps no more than a partial reply: cannot happen, but never read 0 bytes as EOF
            }
            final int n = (int)Posix.LIBC.read(fd, input.address() + buffer.position(), buffer.remaining());
            if (n < 0)
            {
                final int errno = Posix.errno();
                if (errno != Errno.EAGAIN && errno != Errno.EINTR)
                {
                    fail(FailureKind.ofErrno(errno));
                }
                return;
            }
            if (n == 0)
            {
                fail(FailureKind.CLOSED);
                return;
            }
            buffer.position(buffer.position() + n);
            readNow = System.nanoTime();
            lastProgress = readNow;
            metrics.add(Counters.BYTES_READ, n);
            final boolean filled = !input.buffer().hasRemaining();
            if (!input.parse(this))
            {
                fail(FailureKind.GARBAGE);
            }
            if (state != FREE)
            {
                flush();
            }
            if (!filled && !peerClosed)
            {
                return;
            }
        }
    }

    @Override
    public boolean onPing()
    {
        if (state != ROUTING && state != SERVING || !pings.hasUnanswered())
        {
            fail(FailureKind.GARBAGE);
            return false;
        }
        if (pings.replied() == 0)
        {
            metrics.record(Latency.ROUTE, readNow - routeWrittenAt);
            metrics.increment(Counters.ROUTED);
            firstReplyAt = readNow;
            state = SERVING;
        }
        else
        {
            metrics.record(Latency.MESSAGE, readNow - pings.oldestSentAt());
            metrics.record(Latency.MESSAGE_FROM_INTENDED, readNow - pings.oldestIntendedAt());
        }
        final boolean allReplied = pings.answered();
        lastReplyAt = readNow;
        metrics.increment(Counters.REPLIES);
        if (!allReplied)
        {
            pump(readNow);
            return true;
        }
        metrics.increment(Counters.ALL_REPLIED);
        metrics.add(Counters.SERVING_NANOS, lastReplyAt - connectedAt);
        if (verify)
        {
            state = IDENTIFYING;
            output.putIdentify();
            metrics.increment(Counters.IDENTIFY_SENT);
        }
        else
        {
            workDone();
        }
        return state != FREE;
    }

    @Override
    public boolean onIdentify(final int pid, final int workerSlot, final int reportedShard, final int clientsOnShard)
    {
        if (state != IDENTIFYING)
        {
            fail(FailureKind.GARBAGE);
            return false;
        }
        metrics.increment(Counters.IDENTIFY_REPLIES);
        engine.recordIdentity(connection, shard, pid, reportedShard, clientsOnShard, firstReplyAt, readNow);
        workDone();
        return state != FREE;
    }

    @Override
    public boolean onError(final int code, final DirectBuffer buffer, final int textOffset, final int textLength)
    {
        metrics.increment(Counters.errorCode(code));
        metrics.increment(Counters.shed(phase()));
        finish(Counters.SHED);
        return false;
    }

    @Override
    public boolean onBroadcast(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        metrics.increment(Counters.BROADCASTS);
        return true;
    }

    @Override
    public void onGarbage(final byte value)
    {
        fail(FailureKind.GARBAGE);
    }

    private void workDone()
    {
        if (holdNanos > 0)
        {
            state = HOLDING;
            holdUntil = readNow + holdNanos;
            engine.schedule(slot, holdUntil);
        }
        else
        {
            finish(Counters.OK);
        }
    }

    private Phase phase()
    {
        switch (state)
        {
            case CONNECTING:
                return Phase.CONNECT;
            case ROUTING:
                return Phase.ROUTE;
            case SERVING:
                return Phase.MESSAGE;
            case IDENTIFYING:
                return Phase.IDENTIFY;
            default:
                return Phase.HOLD;
        }
    }

    private void fail(final FailureKind kind)
    {
        if (state == FREE)
        {
            return;
        }
        metrics.increment(Counters.failure(phase(), kind));
        engine.logFailure(connection, shard, phase(), kind);
        finish(Counters.FAILED);
    }

    /** Close, count the outcome, give the slot back. */
    private void finish(final int outcome)
    {
        metrics.increment(outcome);
        if (outcome == Counters.OK)
        {
            metrics.record(Latency.DONE, System.nanoTime() - engine.runStartNanos());
        }
        state = FREE;
        if (fd != NO_SOCKET)
        {
            Posix.closeQuietly(fd); // the last reference: it leaves the epoll set with it
            fd = NO_SOCKET;
        }
        engine.release(slot);
    }
}
