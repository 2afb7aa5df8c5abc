package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.engine.ThreadMetrics;
import dev.mpserver.protocol.rtmp.Amf0Exception;
import dev.mpserver.protocol.rtmp.Amf0Writer;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.ClientHandshake;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.UserControl;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What a publisher and a player share: one non-blocking socket on its engine thread's selector, the
 * client handshake, the skimming chunk reader, commands out through a stateless chunk encoder,
 * acknowledgements and ping answers. One client for the whole run (no reconnects).
 *
 * <p>Buffers: output is composed in the engine thread's shared buffer and written at once; only what
 * the socket did not take is copied into this client's own pending array (grown on demand, normally
 * never allocated). Input is read into the thread's shared buffer behind what the last read left
 * over (at most a partial chunk header, or S0+S1 split across reads), so a client holds a few
 * hundred bytes of its own whatever the frame sizes.
 */
abstract class RtmpClient implements SkimmingChunkReader.Listener
{
    /** The chunk size our clients send at (announced with Set Chunk Size before connect, as ffmpeg does after). */
    static final int OUT_CHUNK_SIZE = 4096;
    static final int COMMAND_CSID = 3;
    static final int STREAM_COMMAND_CSID = 8;
    static final int AUDIO_CSID = 4;
    static final int DATA_CSID = 5;
    static final int VIDEO_CSID = 6;
    static final String FLASH_VERSION = "LNX 9,0,124,2";
    static final double TXN_CONNECT = 1;
    static final String WORKER_PID = "workerPid";

    private static final int INITIAL_CARRY = 32;
    private static final int READS_PER_EVENT = 4;
    /** Handshake bytes: S0+S1+S2 in, C0+C1+C2 out; acknowledgements count what came in. */
    private static final int HANDSHAKE_IN = Handshake.VERSION_AND_PACKET_LENGTH + Handshake.PACKET_LENGTH;

    final RtmpEngineThread engine;
    final ThreadMetrics metrics;
    final ClientRecords records;
    final int role;
    final int slot;
    final int index;
    final int stream;
    final SkimmingChunkReader reader = new SkimmingChunkReader();
    final ChunkEncoder encoder = ChunkEncoder.stateless(ChunkHeader.DEFAULT_CHUNK_SIZE);
    final ControlMessageWriter control = new ControlMessageWriter(encoder);
    private final ClientHandshake handshake;

    SocketChannel channel;
    SelectionKey key;
    RtmpPhase phase = RtmpPhase.CONNECT;
    boolean open;
    boolean finished;
    long startedAt;
    long connectCalledAt;
    long lastProgress;
    int messageStreamId;

    private byte[] carry = new byte[INITIAL_CARRY];
    private int carryLength;
    private byte[] pending;
    private ByteBuffer pendingView;
    private int pendingLength;
    private long peerWindow;
    private long lastAcknowledged;
    private long bytesRead;

    RtmpClient(final RtmpEngineThread engine, final int role, final int slot, final int index, final int stream)
    {
        this.engine = engine;
        this.metrics = engine.metrics();
        this.records = engine.records(role);
        this.role = role;
        this.slot = slot;
        this.index = index;
        this.stream = stream;
        this.handshake = new ClientHandshake(new SplittableRandom(((long)role << 32) ^ index));
    }

    /** Connect; the handshake starts when the socket is connected. */
    final void open(final InetSocketAddress address, final long start)
    {
        open = true;
        startedAt = start;
        connectCalledAt = System.nanoTime();
        lastProgress = connectCalledAt;
        records.outcome[index] = ClientRecords.CUT_OFF;
        try
        {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, Boolean.TRUE);
            final boolean connected = channel.connect(address);
            key = channel.register(engine.selector(), connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (connected)
            {
                onConnected();
            }
        }
        catch (final IOException e)
        {
            fail(RtmpFailure.of(e));
        }
    }

    final void onReady(final int readyOps)
    {
        if (!open)
        {
            return;
        }
        if ((readyOps & SelectionKey.OP_CONNECT) != 0)
        {
            try
            {
                if (channel.finishConnect())
                {
                    onConnected();
                }
            }
            catch (final IOException e)
            {
                fail(RtmpFailure.of(e));
            }
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0)
        {
            flushPending();
        }
        if (open && (readyOps & SelectionKey.OP_READ) != 0)
        {
            read();
        }
        if (open && (readyOps & SelectionKey.OP_WRITE) != 0 && pendingLength == 0)
        {
            onWritable();
        }
    }

    private void onConnected() throws IOException
    {
        final long now = System.nanoTime();
        lastProgress = now;
        metrics.record(RtmpLatency.CONNECT.ordinal(), now - connectCalledAt);
        records.localPort[index] = ((InetSocketAddress)channel.getLocalAddress()).getPort();
        if (role == RtmpCounters.PLAYER)
        {
            metrics.increment(RtmpCounters.PLAYERS_CONNECTED);
        }
        phase = RtmpPhase.HANDSHAKE;
        key.interestOps(SelectionKey.OP_READ);
        send(handshake.writeRequest(engine.out(), 0, (int)((now - engine.startNanos()) / 1_000_000)));
    }

    /** Called when the server has taken every byte we had for it (publishers send frames held back). */
    void onWritable()
    {
    }

    /** A timer of this client's slot is due. */
    abstract void onTimer(long now);

    /** The handshake is done: send what the role sends first (its connect). */
    abstract void onHandshakeDone();

    /** connect's {@code _result} arrived: go on as the role does (createStream ...). */
    abstract void onNetConnected();

    /** Any other command message from the server that is not a rejection. */
    abstract void onRoleCommand(RtmpCommand command);

    /** @return true while loadgen waits for the server, the only times --timeout applies. */
    abstract boolean isAwaitingServer();

    final void read()
    {
        for (int reads = 0; reads < READS_PER_EVENT && open; reads++)
        {
            final ByteBuffer in = engine.inDirect();
            in.clear();
            if (carryLength > 0)
            {
                engine.in().putBytes(0, carry, 0, carryLength);
                in.position(carryLength);
            }
            final int n;
            try
            {
                n = channel.read(in);
            }
            catch (final IOException e)
            {
                fail(RtmpFailure.of(e));
                return;
            }
            if (n < 0)
            {
                fail(RtmpFailure.CLOSED);
                return;
            }
            if (n == 0)
            {
                return;
            }
            lastProgress = System.nanoTime();
            bytesRead += n;
            metrics.add(RtmpCounters.BYTES_READ, n);
            final int available = carryLength + n;
            final int consumed = consume(available);
            if (!open)
            {
                return;
            }
            keepLeftOver(consumed, available);
            acknowledgeIfDue();
            if (in.position() < in.capacity())
            {
                return;
            }
        }
    }

    private int consume(final int available)
    {
        int position = 0;
        while (position < available && open)
        {
            final int consumed;
            if (!handshake.isComplete())
            {
                consumed = handshake.receive(engine.in(), position, available - position, engine.out(), 0);
                if (handshake.hasFailed())
                {
                    fail(RtmpFailure.GARBAGE);
                    return position;
                }
                if (handshake.answerLength() > 0)
                {
                    send(handshake.answerLength());
                }
                if (handshake.isComplete())
                {
                    onHandshakeDone();
                }
            }
            else
            {
                consumed = reader.read(engine.in(), position, available - position, this);
                if (reader.hasFailed())
                {
                    fail(RtmpFailure.GARBAGE);
                    return position;
                }
            }
            if (consumed == 0)
            {
                break;
            }
            position += consumed;
        }
        return position;
    }

    private void keepLeftOver(final int consumed, final int available)
    {
        carryLength = available - consumed;
        if (carryLength > carry.length)
        {
            carry = new byte[Math.max(carryLength, carry.length * 2)];
        }
        if (carryLength > 0)
        {
            engine.in().getBytes(consumed, carry, 0, carryLength);
        }
        else if (carry.length > INITIAL_CARRY && handshake.isComplete())
        {
            carry = new byte[INITIAL_CARRY]; // the handshake's S1 no longer needs the room
        }
    }

    private void acknowledgeIfDue()
    {
        final long received = HANDSHAKE_IN + reader.bytesReceived();
        if (peerWindow > 0 && received - lastAcknowledged >= peerWindow)
        {
            lastAcknowledged = received;
            send(control.acknowledgement(engine.out(), 0, received));
            metrics.increment(RtmpCounters.ACKS_SENT);
        }
    }

    @Override
    public final boolean onMessage(
        final int timestamp, final int typeId, final int streamId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (typeId)
        {
            case MessageType.WINDOW_ACK_SIZE:
                if (length >= ProtocolControl.WINDOW_ACK_SIZE_LENGTH)
                {
                    peerWindow = ProtocolControl.windowSize(buffer, offset);
                }
                break;
            case MessageType.USER_CONTROL:
                if (UserControl.isComplete(buffer, offset, length)
                    && UserControl.eventType(buffer, offset) == UserControl.PING_REQUEST)
                {
                    send(control.userControl(engine.out(), 0, UserControl.PING_RESPONSE, UserControl.eventData(buffer, offset)));
                    metrics.increment(RtmpCounters.PINGS_ANSWERED);
                }
                break;
            case MessageType.AMF0_COMMAND:
            case MessageType.AMF3_COMMAND:
                final RtmpCommand command;
                try
                {
                    command = RtmpCommand.decode(engine.amfReader(), buffer, offset, length, typeId);
                }
                catch (final Amf0Exception | IndexOutOfBoundsException e)
                {
                    fail(RtmpFailure.GARBAGE);
                    return false;
                }
                if (isRejection(command))
                {
                    fail(RtmpFailure.REJECTED);
                }
                else if (phase == RtmpPhase.NET_CONNECTION && CommandName.RESULT.equals(command.name())
                    && command.transactionId() == TXN_CONNECT)
                {
                    onNetConnected();
                }
                else
                {
                    onRoleCommand(command);
                }
                break;
            default:
                break;
        }
        return open;
    }

    /** Write a command body from {@link RtmpEngineThread#amfWriter()} (wrapped at its body buffer's 0). */
    final void sendCommand(final int csid, final int streamId, final Amf0Writer command)
    {
        send(encoder.encode(engine.out(), 0, csid, 0, MessageType.AMF0_COMMAND, streamId, engine.body(), 0, command.length()));
    }

    /** Write the first {@code length} bytes of the engine's output buffer (or queue them behind what is pending). */
    final void send(final int length)
    {
        if (!open || length == 0)
        {
            return;
        }
        if (pendingLength > 0)
        {
            appendPending(0, length);
            return;
        }
        final ByteBuffer out = engine.outDirect();
        out.clear().limit(length);
        final int written;
        try
        {
            written = channel.write(out);
        }
        catch (final IOException e)
        {
            fail(RtmpFailure.of(e));
            return;
        }
        metrics.add(RtmpCounters.BYTES_WRITTEN, written);
        if (written < length)
        {
            appendPending(written, length - written);
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    /** @return bytes written but not yet taken by the socket. */
    final int pendingLength()
    {
        return pendingLength;
    }

    private void appendPending(final int from, final int length)
    {
        if (pending == null || pending.length < pendingLength + length)
        {
            final byte[] larger = new byte[Math.max(pendingLength + length, pending == null ? 4096 : pending.length * 2)];
            if (pending != null)
            {
                System.arraycopy(pending, 0, larger, 0, pendingLength);
            }
            pending = larger;
            pendingView = ByteBuffer.wrap(pending);
        }
        engine.out().getBytes(from, pending, pendingLength, length);
        pendingLength += length;
    }

    private void flushPending()
    {
        if (pendingLength == 0)
        {
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
        pendingView.clear().limit(pendingLength);
        final int written;
        try
        {
            written = channel.write(pendingView);
        }
        catch (final IOException e)
        {
            fail(RtmpFailure.of(e));
            return;
        }
        if (written > 0)
        {
            lastProgress = System.nanoTime();
            metrics.add(RtmpCounters.BYTES_WRITTEN, written);
            System.arraycopy(pending, written, pending, 0, pendingLength - written);
            pendingLength -= written;
        }
        if (pendingLength == 0)
        {
            key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE); // one more turn: onWritable
        }
    }

    /** The connect command, as ffmpeg sends it, after announcing our chunk size. */
    final void sendConnect(final boolean player)
    {
        send(control.setChunkSize(engine.out(), 0, OUT_CHUNK_SIZE));
        sendCommand(COMMAND_CSID, 0, CommandWriter.connect(
            engine.amfWriter(), TXN_CONNECT, engine.config().app(), engine.config().tcUrl(stream), FLASH_VERSION, player));
        phase = RtmpPhase.NET_CONNECTION;
    }

    /** @return true when a command is the server saying no: {@code _error}, or an info object of level error. */
    static boolean isRejection(final RtmpCommand command)
    {
        return CommandName.ERROR.equals(command.name()) || StatusCode.LEVEL_ERROR.equals(command.infoString("level"));
    }

    /** @return the workerPid number in the first argument's info object (the contract with mpserver), or 0. */
    static int workerPid(final RtmpCommand command)
    {
        if (!command.arguments().isEmpty() && command.arguments().get(0) instanceof Map)
        {
            final Object pid = ((Map<?, ?>)command.arguments().get(0)).get(WORKER_PID);
            if (pid instanceof Double)
            {
                return (int)(double)(Double)pid;
            }
        }
        return 0;
    }

    final long lastProgress()
    {
        return lastProgress;
    }

    final void timedOut()
    {
        fail(RtmpFailure.TIMEOUT);
    }

    final void fail(final RtmpFailure kind)
    {
        if (!open)
        {
            return;
        }
        records.failure[index] = (byte)kind.ordinal();
        metrics.increment(RtmpCounters.failure(role, phase, kind));
        metrics.increment(role == RtmpCounters.PLAYER ? RtmpCounters.PLAYERS_FAILED : RtmpCounters.PUBLISHERS_FAILED);
        engine.logFailure(this, kind);
        close(ClientRecords.FAILED);
    }

    /** The run is over: streaming clients end ok, the others are cut off. */
    final void endOfRun()
    {
        if (!open)
        {
            return;
        }
        if (phase == RtmpPhase.STREAMING)
        {
            close(ClientRecords.OK);
        }
        else
        {
            metrics.increment(RtmpCounters.cutOff(role, phase));
            close(ClientRecords.CUT_OFF);
        }
    }

    private void close(final byte outcome)
    {
        open = false;
        finished = true;
        records.outcome[index] = outcome;
        records.phase[index] = (byte)phase.ordinal();
        records.bytesRead[index] = bytesRead;
        onClosed();
        engine.cancelTimer(slot);
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Nothing more to do for a client we are done with.
            }
        }
        channel = null;
        key = null;
        pending = null;
        pendingView = null;
        pendingLength = 0;
    }

    /** Last words into the records, before the socket closes. */
    void onClosed()
    {
    }

    @Override
    public String toString()
    {
        return (role == RtmpCounters.PLAYER ? "player " : "publisher ") + index + " of stream " + stream;
    }
}
