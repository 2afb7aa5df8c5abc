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
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.util.SplittableRandom;

/**
 * What a publisher and a player share: its {@link RtmpSocket}, the client handshake, the skimming
 * chunk reader, commands out through a stateless chunk encoder, the {@link ControlAnswers} it owes
 * the server, and its outcome in the records. One client for the whole run (no reconnects).
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

    private static final int READS_PER_EVENT = 4;

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
    private final ControlAnswers answers = new ControlAnswers(control);
    private final RtmpSocket socket;

    RtmpPhase phase = RtmpPhase.CONNECT;
    boolean open;
    boolean finished;
    long startedAt;
    long connectCalledAt;
    long lastProgress;
    int messageStreamId;

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
        this.socket = new RtmpSocket(engine);
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
            if (socket.connect(address, this))
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
                if (socket.finishConnect())
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
        if (open && (readyOps & SelectionKey.OP_WRITE) != 0 && socket.pendingLength() == 0)
        {
            onWritable();
        }
    }

    private void onConnected() throws IOException
    {
        final long now = System.nanoTime();
        lastProgress = now;
        metrics.record(RtmpLatency.CONNECT.ordinal(), now - connectCalledAt);
        records.localPort[index] = socket.connected();
        if (role == RtmpCounters.PLAYER)
        {
            metrics.increment(RtmpCounters.PLAYERS_CONNECTED);
        }
        phase = RtmpPhase.HANDSHAKE;
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
            final int available;
            try
            {
                available = socket.read();
            }
            catch (final IOException e)
            {
                fail(RtmpFailure.of(e));
                return;
            }
            if (available == RtmpSocket.END)
            {
                fail(RtmpFailure.CLOSED);
                return;
            }
            if (available == 0)
            {
                return;
            }
            lastProgress = System.nanoTime();
            final int consumed = consume(available);
            if (!open)
            {
                return;
            }
            socket.keep(consumed, available, handshake.isComplete()); // S1 no longer needs the room
            final int acknowledgement = answers.acknowledgementIfDue(engine.out(), reader.bytesReceived());
            if (acknowledgement > 0)
            {
                send(acknowledgement);
                metrics.increment(RtmpCounters.ACKS_SENT);
            }
            if (!socket.inputFilled())
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

    @Override
    public final boolean onMessage(
        final int timestamp, final int typeId, final int streamId, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (typeId)
        {
            case MessageType.WINDOW_ACK_SIZE:
                answers.onWindowAckSize(buffer, offset, length);
                break;
            case MessageType.USER_CONTROL:
                final int pong = answers.answerUserControl(engine.out(), buffer, offset, length);
                if (pong > 0)
                {
                    send(pong);
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
        try
        {
            socket.write(length);
        }
        catch (final IOException e)
        {
            fail(RtmpFailure.of(e));
        }
    }

    /** @return bytes written but not yet taken by the socket. */
    final int pendingLength()
    {
        return socket.pendingLength();
    }

    private void flushPending()
    {
        try
        {
            if (socket.flushPending() > 0)
            {
                lastProgress = System.nanoTime();
            }
        }
        catch (final IOException e)
        {
            fail(RtmpFailure.of(e));
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

    /** @return the pid mpserver names in a Publish.Start or Play.Start ({@link StatusCode#WORKER_PID}), or 0. */
    static int workerPid(final RtmpCommand command)
    {
        return (int)command.infoNumber(StatusCode.WORKER_PID, 0);
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
        records.bytesRead[index] = socket.bytesRead();
        onClosed();
        engine.cancelTimer(slot);
        socket.close();
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
