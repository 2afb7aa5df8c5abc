package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A small RTMP server for tests, built only on this package's codecs and plain blocking sockets on
 * 127.0.0.1: one thread per connection. It answers what ffmpeg waits for as a publisher (connect,
 * releaseStream, FCPublish, createStream, publish) and records everything it receives; as a player
 * (connect, createStream, getStreamLength, play) it sends StreamBegin, onStatus Play.Reset and
 * Play.Start, |RtmpSampleAccess, then the bytes given to {@link #replay} (media chunked once,
 * shared by every player), then Play.Stop and StreamEOF.
 *
 * <p>It is also the worked example of driving the codecs: handshake, then the chunk decoder; the
 * handler answers commands through a compressing encoder while media goes out as shared bytes from
 * a stateless one on other chunk streams.
 */
final class TestRtmpServer implements AutoCloseable
{
    static final int MESSAGE_STREAM_ID = 1;
    static final int COMMAND_CSID = 3;
    static final int AUDIO_CSID = 4;
    static final int DATA_CSID = 5;
    static final int VIDEO_CSID = 6;
    static final int WINDOW_ACK_SIZE = 2_500_000;

    private static final int READ_TIMEOUT_MILLIS = 30_000;
    private static final int INPUT_CAPACITY = 256 * 1024;

    /** A message as received: its type, timestamp, chunk stream and a copy of its payload. */
    record Received(int csid, int typeId, int timestamp, int streamId, byte[] payload)
    {
    }

    /** What one connection did; filled by its thread, read by the test after {@link #awaitDone}. */
    static final class Session
    {
        final List<String> commands = Collections.synchronizedList(new ArrayList<>());
        final List<Received> media = Collections.synchronizedList(new ArrayList<>());
        final List<Received> data = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> chunkSizesAnnounced = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done = new CountDownLatch(1);
        volatile ConnectRequest connect;
        volatile String publishName;
        volatile String playName;
        volatile int bufferLengthMillis = -1;
        volatile int peerWindowAckSize;
        volatile int acknowledgementsSent;
        volatile long bytesReceived;
        volatile long bytesSent;
        volatile String failure;
        volatile int maxTimestamp;

        boolean awaitDone(final long seconds) throws InterruptedException
        {
            return done.await(seconds, TimeUnit.SECONDS);
        }
    }

    private final int outChunkSize;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Session> sessions = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private volatile byte[] replay = new byte[0];
    private volatile boolean closed;

    /**
     * @param outChunkSize the chunk size announced to every client after connect; 0 to keep 128 and
     *                     announce nothing.
     */
    TestRtmpServer(final int outChunkSize) throws IOException
    {
        this.outChunkSize = outChunkSize;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "rtmp-test-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /** @return the chunk size media for {@link #replay} must be chunked at. */
    int outChunkSize()
    {
        return 0 == outChunkSize ? ChunkHeader.DEFAULT_CHUNK_SIZE : outChunkSize;
    }

    /** Chunked media every player gets after Play.Start: the same bytes for all of them. */
    void replay(final byte[] chunkedMedia)
    {
        replay = chunkedMedia;
    }

    List<Session> sessions()
    {
        synchronized (sessions)
        {
            return new ArrayList<>(sessions);
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        listener.close();
        synchronized (sockets)
        {
            for (final Socket socket : sockets)
            {
                socket.close();
            }
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket socket = listener.accept();
                sockets.add(socket);
                final Session session = new Session();
                sessions.add(session);
                final Thread thread = new Thread(new Connection(socket, session), "rtmp-test-connection");
                thread.setDaemon(true);
                thread.start();
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    throw new IllegalStateException("accept failed", ex);
                }
            }
        }
    }

    /** One client: handshake, then chunk stream decoding with answers written after each read. */
    private final class Connection implements Runnable, MessageHandler
    {
        private final Socket socket;
        private final Session session;
        private final ServerHandshake handshake = new ServerHandshake(new SplittableRandom());
        private final ChunkDecoder decoder = new ChunkDecoder();
        private final ChunkEncoder encoder = ChunkEncoder.compressing(ChunkHeader.DEFAULT_CHUNK_SIZE);
        private final ControlMessageWriter control = new ControlMessageWriter(encoder);
        private final ExpandableArrayBuffer output = new ExpandableArrayBuffer(64 * 1024);
        private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
        private final Amf0Writer writer = new Amf0Writer();
        private final Amf0Reader reader = new Amf0Reader();
        private int outputLength;
        private long lastAcknowledged;

        Connection(final Socket socket, final Session session)
        {
            this.socket = socket;
            this.session = session;
        }

        @Override
        public void run()
        {
            try (socket)
            {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
                socket.setTcpNoDelay(true);
                serve(socket.getInputStream(), socket.getOutputStream());
            }
            catch (final SocketException ex)
            {
                // The peer reset or the test closed the server: the session's record is complete.
            }
            catch (final IOException | RuntimeException ex)
            {
                if (null == session.failure)
                {
                    session.failure = ex.toString();
                }
            }
            finally
            {
                session.bytesReceived = decoder.bytesReceived();
                session.done.countDown();
            }
        }

        private void serve(final InputStream in, final OutputStream out) throws IOException
        {
            final byte[] bytes = new byte[INPUT_CAPACITY];
            final UnsafeBuffer input = new UnsafeBuffer(bytes);
            int end = 0;
            while (true)
            {
                final int read = in.read(bytes, end, bytes.length - end);
                if (read < 0)
                {
                    return;
                }
                end += read;

                int start = 0;
                while (start < end)
                {
                    final int consumed;
                    if (!handshake.isComplete())
                    {
                        consumed = handshake.receive(input, start, end - start, output, outputLength);
                        outputLength += handshake.answerLength();
                        if (handshake.hasFailed())
                        {
                            session.failure = handshake.failureReason();
                            return;
                        }
                    }
                    else
                    {
                        consumed = decoder.decode(input, start, end - start, this);
                        if (decoder.hasFailed())
                        {
                            session.failure = decoder.failureReason();
                            return;
                        }
                    }
                    if (0 == consumed)
                    {
                        break;
                    }
                    start += consumed;
                }
                // Unconsumed bytes (a partial header, or C0+C1 not yet whole) move to the front.
                System.arraycopy(bytes, start, bytes, 0, end - start);
                end -= start;

                acknowledgeIfDue();
                if (outputLength > 0)
                {
                    out.write(output.byteArray(), 0, outputLength);
                    out.flush();
                    session.bytesSent += outputLength;
                    outputLength = 0;
                }
            }
        }

        /** Acknowledge every window the peer asked for (Window Ack Size), counting the handshake's 1537 + 1536 bytes. */
        private void acknowledgeIfDue()
        {
            final long received = Handshake.VERSION_AND_PACKET_LENGTH + Handshake.PACKET_LENGTH + decoder.bytesReceived();
            if (session.peerWindowAckSize > 0 && received - lastAcknowledged >= session.peerWindowAckSize)
            {
                outputLength += control.acknowledgement(output, outputLength, received);
                lastAcknowledged = received;
                session.acknowledgementsSent++;
            }
        }

        @Override
        public boolean onMessage(
            final int csid,
            final int timestamp,
            final int typeId,
            final int messageStreamId,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            if (Integer.compareUnsigned(timestamp, session.maxTimestamp) > 0)
            {
                session.maxTimestamp = timestamp;
            }
            switch (typeId)
            {
                case MessageType.SET_CHUNK_SIZE:
                    session.chunkSizesAnnounced.add(ProtocolControl.chunkSize(buffer, offset));
                    break;
                case MessageType.WINDOW_ACK_SIZE:
                    session.peerWindowAckSize = (int)ProtocolControl.windowSize(buffer, offset);
                    break;
                case MessageType.USER_CONTROL:
                    userControl(buffer, offset, length);
                    break;
                case MessageType.AMF0_COMMAND:
                case MessageType.AMF3_COMMAND:
                    command(RtmpCommand.decode(reader, buffer, offset, length, typeId), messageStreamId);
                    break;
                case MessageType.AMF0_DATA:
                case MessageType.AMF3_DATA:
                    session.data.add(copy(csid, typeId, timestamp, messageStreamId, buffer, offset, length));
                    break;
                case MessageType.AUDIO:
                case MessageType.VIDEO:
                    session.media.add(copy(csid, typeId, timestamp, messageStreamId, buffer, offset, length));
                    break;
                default:
                    break;
            }
            return true;
        }

        private void userControl(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!UserControl.isComplete(buffer, offset, length))
            {
                return;
            }
            final int event = UserControl.eventType(buffer, offset);
            if (UserControl.SET_BUFFER_LENGTH == event)
            {
                session.bufferLengthMillis = UserControl.bufferLength(buffer, offset);
            }
            else if (UserControl.PING_REQUEST == event)
            {
                outputLength += control.userControl(
                    output, outputLength, UserControl.PING_RESPONSE, UserControl.eventData(buffer, offset));
            }
        }

        private void command(final RtmpCommand command, final int messageStreamId)
        {
            session.commands.add(command.name());
            final double txn = command.transactionId();
            switch (command.name())
            {
                case CommandName.CONNECT:
                    session.connect = ConnectRequest.of(command);
                    outputLength += control.windowAckSize(output, outputLength, WINDOW_ACK_SIZE);
                    outputLength += control.setPeerBandwidth(output, outputLength, WINDOW_ACK_SIZE, ProtocolControl.LIMIT_DYNAMIC);
                    if (0 != outChunkSize)
                    {
                        outputLength += control.setChunkSize(output, outputLength, outChunkSize);
                    }
                    send(0, CommandWriter.connectResult(writer.wrap(body, 0), txn, 0, "Connection succeeded."));
                    send(0, CommandWriter.onBandwidthDone(writer.wrap(body, 0)));
                    break;
                case CommandName.RELEASE_STREAM:
                case CommandName.CHECK_BANDWIDTH:
                    send(0, CommandWriter.result(writer.wrap(body, 0), txn));
                    break;
                case CommandName.FC_PUBLISH:
                    send(0, CommandWriter.onFcPublish(writer.wrap(body, 0), command.stringArgument(0)));
                    break;
                case CommandName.CREATE_STREAM:
                    send(0, CommandWriter.createStreamResult(writer.wrap(body, 0), txn, MESSAGE_STREAM_ID));
                    break;
                case CommandName.GET_STREAM_LENGTH:
                    send(0, CommandWriter.streamLengthResult(writer.wrap(body, 0), txn, 0));
                    break;
                case CommandName.PUBLISH:
                    session.publishName = command.stringArgument(0);
                    outputLength += control.userControl(output, outputLength, UserControl.STREAM_BEGIN, messageStreamId);
                    send(messageStreamId, CommandWriter.onStatus(writer.wrap(body, 0), StatusCode.LEVEL_STATUS,
                        StatusCode.PUBLISH_START, session.publishName + " is now published."));
                    break;
                case CommandName.PLAY:
                    session.playName = command.stringArgument(0);
                    play(messageStreamId);
                    break;
                default:
                    break;
            }
        }

        private void play(final int messageStreamId)
        {
            outputLength += control.userControl(output, outputLength, UserControl.STREAM_BEGIN, messageStreamId);
            send(messageStreamId, CommandWriter.onStatus(writer.wrap(body, 0), StatusCode.LEVEL_STATUS,
                StatusCode.PLAY_RESET, "Playing and resetting " + session.playName + "."));
            send(messageStreamId, CommandWriter.onStatus(writer.wrap(body, 0), StatusCode.LEVEL_STATUS,
                StatusCode.PLAY_START, "Started playing " + session.playName + "."));
            final int length = CommandWriter.sampleAccess(writer.wrap(body, 0)).length();
            outputLength += encoder.encode(
                output, outputLength, COMMAND_CSID, 0, MessageType.AMF0_DATA, messageStreamId, body, 0, length);

            // The shared media: chunked once by the test, copied as they are to every player.
            final byte[] media = replay;
            output.putBytes(outputLength, media);
            outputLength += media.length;

            send(messageStreamId, CommandWriter.onStatus(writer.wrap(body, 0), StatusCode.LEVEL_STATUS,
                StatusCode.PLAY_STOP, "Stopped playing " + session.playName + "."));
            outputLength += control.userControl(output, outputLength, UserControl.STREAM_EOF, messageStreamId);
        }

        private void send(final int messageStreamId, final Amf0Writer command)
        {
            outputLength += encoder.encode(output, outputLength, COMMAND_CSID, 0, MessageType.AMF0_COMMAND,
                messageStreamId, body, 0, command.length());
        }

        private Received copy(
            final int csid,
            final int typeId,
            final int timestamp,
            final int streamId,
            final DirectBuffer buffer,
            final int offset,
            final int length)
        {
            final byte[] payload = new byte[length];
            buffer.getBytes(offset, payload);
            return new Received(csid, typeId, timestamp, streamId, payload);
        }
    }
}
