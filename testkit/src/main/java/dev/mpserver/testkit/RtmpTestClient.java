package dev.mpserver.testkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import dev.mpserver.protocol.rtmp.Amf0Reader;
import dev.mpserver.protocol.rtmp.Amf0Writer;
import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.ClientHandshake;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.UserControl;
import dev.mpserver.protocol.rtmp.VideoTag;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A blocking RTMP client for tests, built only on the protocol codecs: handshake, connect,
 * createStream, publish or play, synthetic media, raw bytes for bad-input cases; everything it
 * receives is kept in order ({@link #received()}). One thread, plain sockets on 127.0.0.1, every
 * wait bounded by the socket's read timeout. Shared by the worker, master and loadgen tests;
 * {@code loadgen rtmp} has its own production client.
 *
 * <p>Media is synthetic ({@link TestMedia}): each frame carries its number, so a player can tell
 * which frames it got and in what order.
 */
public final class RtmpTestClient implements AutoCloseable
{
    public static final int DEFAULT_TIMEOUT_MILLIS = 10_000;

    /** A message as received: chunk stream, type, timestamp, message stream and a copy of its payload. */
    public record Message(int csid, int typeId, int timestamp, int streamId, byte[] payload)
    {
        public boolean isMedia()
        {
            return typeId == MessageType.AUDIO || typeId == MessageType.VIDEO;
        }

        public boolean isCommand()
        {
            return MessageType.isCommand(typeId);
        }

        /** The command this message carries (types 20, 17), decoded. */
        public RtmpCommand command()
        {
            return RtmpCommand.decode(new Amf0Reader(), new UnsafeBuffer(payload), 0, payload.length, typeId);
        }

        public boolean isVideoKeyFrame()
        {
            return TestMedia.isVideoKeyFrame(typeId, payload);
        }

        /** The synthetic frame number of a video or audio message this client's kind sent, or -1. */
        public int frameNumber()
        {
            return TestMedia.frameNumber(payload);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ClientHandshake handshake = new ClientHandshake(new SplittableRandom(7));
    private final ChunkDecoder decoder = new ChunkDecoder();
    private final ChunkEncoder encoder = ChunkEncoder.compressing(ChunkHeader.DEFAULT_CHUNK_SIZE);
    private final ControlMessageWriter control = new ControlMessageWriter(encoder);
    private final Amf0Writer amf = new Amf0Writer();
    private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
    private final ExpandableArrayBuffer outgoing = new ExpandableArrayBuffer(64 * 1024);
    private final byte[] inputBytes = new byte[1 << 20];
    private final UnsafeBuffer input = new UnsafeBuffer(inputBytes);
    private final List<Message> received = new ArrayList<>();
    private int inputLength;
    private int statusesSeen;
    private double nextTransaction = 1;
    private int streamId;
    private boolean ended;
    private long bytesRead;

    private RtmpTestClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(DEFAULT_TIMEOUT_MILLIS);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** A TCP connection to 127.0.0.1:{@code port}; nothing sent yet. */
    public static RtmpTestClient open(final int port) throws IOException
    {
        return new RtmpTestClient(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    /** {@link #open} with a small receive buffer (a slow player whose kernel holds little). */
    public static RtmpTestClient open(final int port, final int receiveBuffer) throws IOException
    {
        final Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new RtmpTestClient(socket);
    }

    public Socket socket()
    {
        return socket;
    }

    public void timeout(final int millis) throws SocketException
    {
        socket.setSoTimeout(millis);
    }

    // ---------------------------------------------------------------- session

    /** C0+C1, then S0+S1 → C2; S2 is read with what follows. */
    public RtmpTestClient handshake() throws IOException
    {
        final int length = handshake.writeRequest(outgoing, 0, 0);
        out.write(outgoing.byteArray(), 0, length);
        while (!handshake.isComplete())
        {
            fill();
            final int used = handshake.receive(input, 0, inputLength, outgoing, 0);
            if (handshake.answerLength() > 0)
            {
                out.write(outgoing.byteArray(), 0, handshake.answerLength());
            }
            consumeInput(used);
        }
        return this;
    }

    /** Handshake and {@code connect(app, tcUrl)}; returns the answer ({@code _result} or {@code _error}). */
    public RtmpCommand connect(final String app, final String tcUrl) throws IOException
    {
        handshake();
        return awaitAnswer(sendConnect(app, tcUrl));
    }

    /** {@code connect(app, tcUrl)} without waiting; @return its transaction id */
    public double sendConnect(final String app, final String tcUrl) throws IOException
    {
        final double transaction = nextTransaction++;
        send(MessageType.AMF0_COMMAND, 0, 0, CommandWriter.connect(amf.wrap(body, 0), transaction, app, tcUrl, "FMLE/3.0 (test)", false));
        return transaction;
    }

    /**
     * releaseStream, FCPublish, createStream, publish on stream 1 (what mpserver's createStream always
     * answers), metadata, both sequence headers and keyframe 0, all in one write without waiting;
     * then the onStatus that answers publish.
     */
    public RtmpCommand publishPipelined(final String name) throws IOException
    {
        final ExpandableArrayBuffer all = new ExpandableArrayBuffer(4096);
        int length = 0;
        for (final String command : new String[] {CommandName.RELEASE_STREAM, CommandName.FC_PUBLISH})
        {
            CommandWriter.streamNameCommand(amf.wrap(body, 0), command, nextTransaction++, name);
            length += encoder.encode(all, length, 3, 0, MessageType.AMF0_COMMAND, 0, body, 0, amf.length());
        }
        CommandWriter.createStream(amf.wrap(body, 0), nextTransaction++);
        length += encoder.encode(all, length, 3, 0, MessageType.AMF0_COMMAND, 0, body, 0, amf.length());
        streamId = 1;
        CommandWriter.publish(amf.wrap(body, 0), nextTransaction++, name, "live");
        length += encoder.encode(all, length, 3, 0, MessageType.AMF0_COMMAND, streamId, body, 0, amf.length());
        out.write(all.byteArray(), 0, length);
        metadata(320, 240);
        videoSequenceHeader();
        audioSequenceHeader();
        video(0, 0, true, 2000);
        return awaitStatus();
    }

    /** releaseStream, FCPublish, createStream, publish: the onStatus that answers publish. */
    public RtmpCommand publish(final String name) throws IOException
    {
        send(MessageType.AMF0_COMMAND, 0, 0, CommandWriter.streamNameCommand(amf.wrap(body, 0), CommandName.RELEASE_STREAM,
            nextTransaction++, name));
        send(MessageType.AMF0_COMMAND, 0, 0, CommandWriter.streamNameCommand(amf.wrap(body, 0), CommandName.FC_PUBLISH,
            nextTransaction++, name));
        createStream();
        send(MessageType.AMF0_COMMAND, streamId, 0, CommandWriter.publish(amf.wrap(body, 0), nextTransaction++, name, "live"));
        return awaitStatus();
    }

    /** createStream, play, SetBufferLength 3000: the onStatus that answers play (Play.Start after Play.Reset). */
    public RtmpCommand play(final String name) throws IOException
    {
        createStream();
        send(MessageType.AMF0_COMMAND, streamId, 0, CommandWriter.play(amf.wrap(body, 0), nextTransaction++, name,
            CommandWriter.PLAY_START_ANY));
        sendBytes(outgoing, control.setBufferLength(outgoing, 0, streamId, 3000));
        RtmpCommand status;
        do
        {
            status = awaitStatus();
        }
        while (StatusCode.PLAY_RESET.equals(status.infoString("code")));
        return status;
    }

    /** createStream; returns the stream id the server answered. */
    public int createStream() throws IOException
    {
        final double transaction = nextTransaction++;
        send(MessageType.AMF0_COMMAND, 0, 0, CommandWriter.createStream(amf.wrap(body, 0), transaction));
        final RtmpCommand result = awaitAnswer(transaction);
        streamId = (int)result.numberArgument(0, -1);
        return streamId;
    }

    /** Any command, its arguments in {@link Amf0Writer#value} form, on message stream 0. */
    public void command(final String name, final double transaction, final Object... arguments) throws IOException
    {
        amf.wrap(body, 0).string(name).number(transaction).nullValue();
        for (final Object argument : arguments)
        {
            amf.value(argument);
        }
        send(MessageType.AMF0_COMMAND, 0, 0, amf);
    }

    public void deleteStream() throws IOException
    {
        send(MessageType.AMF0_COMMAND, 0, 0, CommandWriter.deleteStream(amf.wrap(body, 0), nextTransaction++, streamId));
    }

    /** Announces and uses a larger outgoing chunk size, as ffmpeg's publisher does. */
    public void chunkSize(final int size) throws IOException
    {
        sendBytes(outgoing, control.setChunkSize(outgoing, 0, size));
    }

    public void pingRequest(final int timestamp) throws IOException
    {
        sendBytes(outgoing, control.userControl(outgoing, 0, UserControl.PING_REQUEST, timestamp));
    }

    // ---------------------------------------------------------------- media

    public void metadata(final int width, final int height) throws IOException
    {
        CommandWriter.setDataFrameOpen(amf.wrap(body, 0), 3).property("width", width).property("height", height)
            .property("videocodecid", VideoTag.CODEC_AVC).objectEnd();
        send(MessageType.AMF0_DATA, streamId, 0, amf);
    }

    public void videoSequenceHeader() throws IOException
    {
        sendMedia(MessageType.VIDEO, 0, TestMedia.videoSequenceHeader());
    }

    public void audioSequenceHeader() throws IOException
    {
        sendMedia(MessageType.AUDIO, 0, TestMedia.audioSequenceHeader());
    }

    /** A synthetic AVC frame of {@code size} bytes (at least 9) carrying {@code number}. */
    public void video(final int timestamp, final int number, final boolean keyFrame, final int size) throws IOException
    {
        sendMedia(MessageType.VIDEO, timestamp, TestMedia.video(number, keyFrame, size));
    }

    /** A synthetic raw AAC frame carrying {@code number}. */
    public void audio(final int timestamp, final int number) throws IOException
    {
        sendMedia(MessageType.AUDIO, timestamp, TestMedia.audio(number));
    }

    private void sendMedia(final int typeId, final int timestamp, final byte[] payload) throws IOException
    {
        final int csid = typeId == MessageType.VIDEO ? 6 : 4;
        final int length = encoder.encode(outgoing, 0, csid, timestamp, typeId, streamId, new UnsafeBuffer(payload), 0, payload.length);
        out.write(outgoing.byteArray(), 0, length);
    }

    /** Bytes as they are: a bad client. */
    public void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /** A message of any type, chunked by this client's encoder. */
    public void sendMessage(final int csid, final int typeId, final int messageStreamId, final byte[] payload) throws IOException
    {
        final int length = encoder.encode(outgoing, 0, csid, 0, typeId, messageStreamId, new UnsafeBuffer(payload), 0, payload.length);
        out.write(outgoing.byteArray(), 0, length);
    }

    private void send(final int typeId, final int messageStreamId, final int timestamp, final Amf0Writer written) throws IOException
    {
        final int length = encoder.encode(outgoing, 0, 3, timestamp, typeId, messageStreamId, body, 0, written.length());
        out.write(outgoing.byteArray(), 0, length);
    }

    private void sendBytes(final ExpandableArrayBuffer bytes, final int length) throws IOException
    {
        out.write(bytes.byteArray(), 0, length);
    }

    // ---------------------------------------------------------------- receiving

    /** Everything received so far, in order. */
    public List<Message> received()
    {
        return received;
    }

    /** The commands received so far (types 20, 17), decoded. */
    public List<RtmpCommand> commands()
    {
        final List<RtmpCommand> commands = new ArrayList<>();
        for (final Message message : received)
        {
            if (message.isCommand())
            {
                commands.add(message.command());
            }
        }
        return commands;
    }

    /** Reads until a message that satisfies {@code wanted} arrives after the first {@code from} received; returns it. */
    public Message await(final int from, final Predicate<Message> wanted) throws IOException
    {
        int index = from;
        while (true)
        {
            while (index < received.size())
            {
                final Message message = received.get(index++);
                if (wanted.test(message))
                {
                    return message;
                }
            }
            readSome();
        }
    }

    /** The {@code _result} or {@code _error} of {@code transaction}. */
    public RtmpCommand awaitAnswer(final double transaction) throws IOException
    {
        return await(0, m -> m.isCommand() && isAnswer(m.command(), transaction)).command();
    }

    /** The next onStatus not returned before. */
    public RtmpCommand awaitStatus() throws IOException
    {
        final Message status = await(statusesSeen, m -> m.isCommand() && CommandName.ON_STATUS.equals(m.command().name()));
        statusesSeen = received.indexOf(status) + 1;
        return status.command();
    }

    /** Reads whatever arrives within {@code millis} (or until the connection ends). */
    public void drain(final int millis) throws IOException
    {
        final long deadline = System.nanoTime() + millis * 1_000_000L;
        final int timeout = socket.getSoTimeout();
        try
        {
            while (!ended && System.nanoTime() < deadline)
            {
                socket.setSoTimeout((int)Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
                try
                {
                    readSome();
                }
                catch (final SocketTimeoutException ex)
                {
                    break;
                }
            }
        }
        finally
        {
            if (!socket.isClosed())
            {
                socket.setSoTimeout(timeout);
            }
        }
    }

    /** @return true if the server ends the connection (EOF, or a reset) within {@code millis}. */
    public boolean awaitEnd(final int millis) throws IOException
    {
        try
        {
            drain(millis);
        }
        catch (final EOFException | SocketException ex)
        {
            return true;
        }
        return ended;
    }

    /** True once the server closed its side (EOF read). */
    public boolean isEnded()
    {
        return ended;
    }

    public long bytesRead()
    {
        return bytesRead;
    }

    private static boolean isAnswer(final RtmpCommand command, final double transaction)
    {
        return (CommandName.RESULT.equals(command.name()) || CommandName.ERROR.equals(command.name())) &&
            command.transactionId() == transaction;
    }

    /** One read, decoded; answers pings. @throws EOFException at the end of the stream */
    private void readSome() throws IOException
    {
        if (ended)
        {
            throw new EOFException("the server closed the connection");
        }
        fill();
        final int used = decoder.decode(input, 0, inputLength, this::onMessage);
        if (decoder.hasFailed())
        {
            throw new IOException("the server's chunk stream is malformed: " + decoder.failureReason());
        }
        consumeInput(used);
    }

    private boolean onMessage(
        final int csid, final int timestamp, final int typeId, final int messageStreamId, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        received.add(new Message(csid, typeId, timestamp, messageStreamId, payload));
        if (typeId == MessageType.USER_CONTROL && UserControl.isComplete(buffer, offset, length) &&
            UserControl.eventType(buffer, offset) == UserControl.PING_REQUEST)
        {
            try
            {
                sendBytes(outgoing, control.userControl(outgoing, 0, UserControl.PING_RESPONSE, UserControl.eventData(buffer, offset)));
            }
            catch (final IOException ex)
            {
                ended = true;
            }
        }
        return true;
    }

    private void fill() throws IOException
    {
        final int read = in.read(inputBytes, inputLength, inputBytes.length - inputLength);
        if (read < 0)
        {
            ended = true;
            throw new EOFException("the server closed the connection");
        }
        inputLength += read;
        bytesRead += read;
    }

    private void consumeInput(final int used)
    {
        System.arraycopy(inputBytes, used, inputBytes, 0, inputLength - used);
        inputLength -= used;
    }

    /** An info object's property, for assertions on onStatus. */
    public static Object infoProperty(final RtmpCommand command, final String key)
    {
        final Object info = command.arguments().isEmpty() ? null : command.arguments().get(0);
        return info instanceof Map ? ((Map<?, ?>)info).get(key) : null;
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
