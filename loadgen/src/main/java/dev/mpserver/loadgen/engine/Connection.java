package dev.mpserver.loadgen.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

import dev.mpserver.protocol.wire.ServerReplyHandler;
import dev.mpserver.protocol.wire.ServerReplyParser;
import dev.mpserver.protocol.wire.Terminators;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One connection slot of an engine thread: reused for connection after connection, with its buffers
 * and send-time rings allocated once. State is primitive; nothing is allocated per message. Frames
 * are written by the protocol's {@link WireEncoder} and replies parsed by its {@link ServerReplyParser},
 * both over views of the slot's own direct buffers.
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

    /**
     * Holds any partial reply but a broadcast: ping and identify replies, and errors up to
     * {@link WireProtocol#MAX_ERROR_FRAME_LENGTH}. A broadcast longer than this (loadgen sends none; another
     * client of the shard may) is skimmed to its end and counted ({@link #skimBroadcast}), not kept.
     */
    static final int INPUT_CAPACITY = 512;

    static
    {
        if (INPUT_CAPACITY < WireProtocol.MAX_ERROR_FRAME_LENGTH + WireProtocol.IDENTIFY_REPLY_LENGTH)
        {
            throw new IllegalStateException("a connection's input buffer must hold an error reply");
        }
    }

    static int outputCapacity(final int pipeline)
    {
        return WireProtocol.CONTROL_FRAME_LENGTH + pipeline * WireProtocol.PROTOTYPE_PING_FRAME_LENGTH +
            WireProtocol.IDENTIFY_FRAME_LENGTH;
    }

    private final EngineThread engine;
    private final ThreadMetrics metrics;
    private final int slot;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private final UnsafeBuffer inView;
    private final UnsafeBuffer outView;
    private final ServerReplyParser parser = new ServerReplyParser();
    private final long[] sendActual;
    private final long[] sendIntended;
    private final int pipeline;
    private final int msgs;
    private final double intervalNanos;
    private final boolean verify;
    private final long holdNanos;

    private SocketChannel channel;
    private SelectionKey key;
    private int state = FREE;
    private long connection;
    private int shard;
    private long intendedStart;
    private long connectStart;
    private long connectedAt;
    private long routeWrittenAt;
    private long lastReplyAt;
    private long lastProgress;
    private long holdUntil;
    private long readNow;
    private int sent;
    private int replied;
    private boolean writeInterest;
    /** Bytes of a broadcast too long for {@link #in} skimmed so far; 0 when not in one. */
    private int skimmedBroadcast;

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
        this.in = in;
        this.out = out;
        this.inView = new UnsafeBuffer(in);
        this.outView = new UnsafeBuffer(out);
        this.pipeline = pipeline;
        this.msgs = msgs;
        this.intervalNanos = msgRate > 0 ? 1e9 / msgRate : 0;
        this.verify = verify;
        this.holdNanos = holdNanos;
        sendActual = new long[pipeline];
        sendIntended = new long[pipeline];
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
        return state == CONNECTING || state == IDENTIFYING || sent > replied || out.position() > 0;
    }

    long lastProgress()
    {
        return lastProgress;
    }

    void open(
        final Selector selector,
        final InetSocketAddress address,
        final long connectionIndex,
        final int shardId,
        final long intendedStartNanos)
    {
        connection = connectionIndex;
        shard = shardId;
        intendedStart = intendedStartNanos;
        sent = 0;
        replied = 0;
        writeInterest = false;
        skimmedBroadcast = 0;
        parser.reset();
        in.clear();
        out.clear();
        state = CONNECTING;
        metrics.increment(Counters.STARTED);
        connectStart = System.nanoTime();
        lastProgress = connectStart;
        try
        {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final boolean connected = channel.connect(address);
            key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (connected)
            {
                onConnected(System.nanoTime());
            }
        }
        catch (final IOException e)
        {
            fail(FailureKind.of(e));
        }
    }

    /** Selector callback. */
    void onReady(final int readyOps)
    {
        if (state == FREE)
        {
            return;
        }
        if ((readyOps & SelectionKey.OP_CONNECT) != 0)
        {
            finishConnect();
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0)
        {
            flush();
        }
        if (state != FREE && (readyOps & SelectionKey.OP_READ) != 0)
        {
            read();
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
        try
        {
            if (channel.finishConnect())
            {
                onConnected(System.nanoTime());
            }
        }
        catch (final IOException e)
        {
            fail(FailureKind.of(e));
        }
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
        key.interestOps(SelectionKey.OP_READ);
        if (shard != WireProtocol.NO_SHARD)
        {
            out.position(out.position() + WireEncoder.putControl(outView, out.position(), shard));
        }
        pump(now);
        flush();
    }

    /** Queue every message that is due and fits the pipeline; arm the timer for the next paced one. */
    private void pump(final long now)
    {
        while (sent < msgs && sent - replied < pipeline)
        {
            final long intended = intervalNanos > 0 ? connectedAt + (long)(sent * intervalNanos) : now;
            if (intended > now)
            {
                engine.schedule(slot, intended);
                return;
            }
            out.position(out.position() + WireEncoder.putPrototypePing(outView, out.position()));
            final int ring = sent % pipeline;
            sendIntended[ring] = intended;
            sendActual[ring] = now;
            sent++;
            metrics.increment(Counters.MESSAGES_SENT);
        }
    }

    private void flush()
    {
        if (out.position() == 0)
        {
            return;
        }
        out.flip();
        try
        {
            final int written = channel.write(out);
            if (written > 0)
            {
                lastProgress = System.nanoTime();
                metrics.add(Counters.BYTES_WRITTEN, written);
            }
        }
        catch (final IOException e)
        {
            out.clear();
            fail(FailureKind.of(e));
            return;
        }
        out.compact();
        final boolean pending = out.position() > 0;
        if (pending != writeInterest)
        {
            writeInterest = pending;
            key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    private void read()
    {
        while (state != FREE)
        {
            final int n;
            try
            {
                n = channel.read(in);
            }
            catch (final IOException e)
            {
                fail(FailureKind.of(e));
                return;
            }
            if (n < 0)
            {
                fail(FailureKind.CLOSED);
                return;
            }
            if (n == 0)
            {
                return;
            }
            readNow = System.nanoTime();
            lastProgress = readNow;
            metrics.add(Counters.BYTES_READ, n);
            final boolean filled = !in.hasRemaining();
            parseInput();
            if (state != FREE)
            {
                flush();
            }
            if (!filled)
            {
                return;
            }
        }
    }

    /** Handles the complete replies in {@link #in} and keeps a partial one at its start for the next read. */
    private void parseInput()
    {
        int start = 0;
        final int available = in.position();
        if (skimmedBroadcast > 0)
        {
            start = skimBroadcast(available);
            if (start == available)
            {
                in.clear();
                return;
            }
        }
        final int consumed = start + parser.parse(inView, start, available - start, this);
        if (state == FREE)
        {
            return;
        }
        if (consumed == 0 && available == in.capacity())
        {
            // Only a broadcast outgrows the buffer (see INPUT_CAPACITY); the parser checked its first byte.
            skimmedBroadcast = available;
            parser.reset();
            in.clear();
            return;
        }
        in.limit(available).position(consumed);
        in.compact();
    }

    /**
     * Reads on through the broadcast that outgrew {@link #in} to its {@code '\0'}, which counts it.
     *
     * @return where the bytes after the broadcast start in {@link #in} ({@code available} if it goes on)
     */
    private int skimBroadcast(final int available)
    {
        final int terminator = Terminators.indexOf(inView, 0, available);
        final int end = Terminators.NOT_FOUND == terminator ? available : terminator + WireProtocol.TERMINATOR_LENGTH;
        skimmedBroadcast += end;
        if (skimmedBroadcast > WireProtocol.MAX_FRAME_LENGTH ||
            Terminators.NOT_FOUND == terminator && skimmedBroadcast == WireProtocol.MAX_FRAME_LENGTH)
        {
            fail(FailureKind.GARBAGE); // as the parser judges a 'B' that runs past its length limit
            return available;
        }
        if (Terminators.NOT_FOUND != terminator)
        {
            skimmedBroadcast = 0;
            metrics.increment(Counters.BROADCASTS);
        }
        return end;
    }

    @Override
    public boolean onPing()
    {
        if (state != ROUTING && state != SERVING || replied >= sent)
        {
            fail(FailureKind.GARBAGE);
            return false;
        }
        final int ring = replied % pipeline;
        if (replied == 0)
        {
            metrics.record(Latency.ROUTE, readNow - routeWrittenAt);
            metrics.increment(Counters.ROUTED);
            state = SERVING;
        }
        else
        {
            metrics.record(Latency.MESSAGE, readNow - sendActual[ring]);
            metrics.record(Latency.MESSAGE_FROM_INTENDED, readNow - sendIntended[ring]);
        }
        replied++;
        lastReplyAt = readNow;
        metrics.increment(Counters.REPLIES);
        if (replied < msgs)
        {
            pump(readNow);
            return true;
        }
        metrics.increment(Counters.ALL_REPLIED);
        metrics.add(Counters.SERVING_NANOS, lastReplyAt - connectedAt);
        if (verify)
        {
            state = IDENTIFYING;
            out.position(out.position() + WireEncoder.putIdentify(outView, out.position()));
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
        engine.recordIdentity(connection, shard, pid, reportedShard, clientsOnShard);
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
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Nothing left to do for a connection we are abandoning.
            }
        }
        channel = null;
        key = null;
        engine.release(slot);
    }
}
