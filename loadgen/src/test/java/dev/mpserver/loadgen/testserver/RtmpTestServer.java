package dev.mpserver.loadgen.testserver;

import dev.mpserver.loadgen.rtmp.SyntheticMedia;
import dev.mpserver.protocol.rtmp.Amf0Reader;
import dev.mpserver.protocol.rtmp.Amf0Writer;
import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.CommandName;
import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.DataMessage;
import dev.mpserver.protocol.rtmp.MessageHandler;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.ServerHandshake;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.rtmp.UserControl;
import dev.mpserver.protocol.rtmp.VideoTag;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A small live RTMP relay for loadgen's tests, on 127.0.0.1 and an ephemeral port, built on the
 * protocol module's codecs (a thread per connection, fine at test sizes): one publisher per stream,
 * its players get metadata, the sequence headers and the GOP cache, then every frame as it arrives.
 * It answers what the mpserver contract says (Window Ack Size, Set Peer Bandwidth, Set Chunk Size
 * 4096, {@code workerPid} in Publish.Start and Play.Start) and misbehaves on purpose, per stream,
 * towards its players ({@link Behaviour}); or, with {@link #garbageHandshake()}, towards everyone.
 */
public final class RtmpTestServer implements AutoCloseable
{
    /** What the server does wrong to the players of a stream. Video frame numbers are the publisher's seq. */
    public enum Behaviour
    {
        NONE,
        /** Frames {@link #DROPPED} never reach the players. */
        DROP,
        /** Frame {@link #REORDERED_FIRST} is sent after the next one. */
        REORDER,
        /** Before frame {@link #STALL_AT}, the relay stops for {@link #STALL_MILLIS}. */
        STALL,
        /** At frame {@link #BREAK_AT}, bytes that are no chunk stream instead of the frame. */
        GARBAGE,
        /** At frame {@link #BREAK_AT}, a TCP reset. */
        RESET,
        /** At frame {@link #BREAK_AT}, a clean close (FIN). */
        CLOSE,
        /** Play.Start, then no media ever. */
        NO_MEDIA,
        /** play answered with onStatus NetStream.Play.StreamNotFound, level error. */
        REJECT_PLAY,
        /** The players are told another workerPid than their publisher's. */
        OTHER_WORKER
    }

    public static final int PUBLISHER_PID = 4100;
    public static final int OTHER_PID = 4200;
    public static final Set<Integer> DROPPED = Set.of(30, 31, 45);
    public static final int REORDERED_FIRST = 40;
    public static final int STALL_AT = 40;
    public static final long STALL_MILLIS = 1500;
    public static final int BREAK_AT = 35;

    private static final int CHUNK_SIZE = 4096;
    private static final int MESSAGE_STREAM_ID = 1;
    private static final int COMMAND_CSID = 3;
    private static final int AUDIO_CSID = 4;
    private static final int DATA_CSID = 5;
    private static final int VIDEO_CSID = 6;
    private static final int WINDOW = 2_500_000;

    private final ServerSocket listener;
    private final Function<String, Behaviour> behaviour;
    private final boolean namesWorkers;
    private volatile boolean garbageHandshake;
    private final ExecutorService threads = Executors.newCachedThreadPool(r ->
    {
        final Thread t = new Thread(r, "rtmp-test-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param behaviour    towards the players of each stream (by stream name).
     * @param namesWorkers put workerPid into the onStatus info objects, as mpserver does.
     */
    public RtmpTestServer(final Function<String, Behaviour> behaviour, final boolean namesWorkers) throws IOException
    {
        this.behaviour = behaviour;
        this.namesWorkers = namesWorkers;
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        threads.execute(this::acceptLoop);
    }

    /** Answer every handshake with S0 = 'E' (what mpserver's test protocol answers to a stranger). */
    public RtmpTestServer garbageHandshake()
    {
        garbageHandshake = true;
        return this;
    }

    public int port()
    {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        closed = true;
        listener.close();
        for (final Socket s : sockets)
        {
            s.close();
        }
        threads.shutdownNow();
        threads.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket socket = listener.accept();
                sockets.add(socket);
                threads.execute(() -> serve(socket));
            }
            catch (final IOException e)
            {
                return;
            }
        }
    }

    private void serve(final Socket socket)
    {
        final Session session = new Session(socket);
        try (socket)
        {
            socket.setTcpNoDelay(true);
            session.run();
        }
        catch (final IOException | RuntimeException e)
        {
            // The client went away or misbehaved: this connection ends, the server goes on.
        }
        finally
        {
            session.leave();
            sockets.remove(socket);
        }
    }

    /** One stream: its publisher's cached headers and GOP, and its players. */
    private static final class Stream
    {
        final List<Session> players = new ArrayList<>();
        byte[] metadata;
        byte[] videoHeader;
        byte[] audioHeader;
        final List<byte[]> gop = new ArrayList<>();
    }

    private final class Session implements MessageHandler
    {
        private final Socket socket;
        private final ServerHandshake handshake = new ServerHandshake(new SplittableRandom(7));
        private final ChunkDecoder decoder = new ChunkDecoder();
        private final ChunkEncoder encoder = ChunkEncoder.compressing(ChunkHeader.DEFAULT_CHUNK_SIZE);
        private final ControlMessageWriter control = new ControlMessageWriter(encoder);
        private final ChunkEncoder media = ChunkEncoder.stateless(CHUNK_SIZE);
        private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64 * 1024);
        private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
        private final Amf0Writer writer = new Amf0Writer();
        private final Amf0Reader reader = new Amf0Reader();
        private OutputStream output;
        private int outLength;
        private String publishing;
        private String playing;
        private Behaviour playerBehaviour = Behaviour.NONE;
        private byte[] held;
        private boolean broken;

        Session(final Socket socket)
        {
            this.socket = socket;
        }

        void run() throws IOException
        {
            output = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final byte[] bytes = new byte[256 * 1024];
            final UnsafeBuffer input = new UnsafeBuffer(bytes);
            int end = 0;
            while (!closed)
            {
                final int n = in.read(bytes, end, bytes.length - end);
                if (n < 0)
                {
                    return;
                }
                end += n;
                int start = 0;
                while (start < end)
                {
                    final int consumed;
                    if (!handshake.isComplete())
                    {
                        if (garbageHandshake)
                        {
                            output.write(new byte[] {'E', 1, 'b', 'a', 'd', 0});
                            output.flush();
                            return;
                        }
                        consumed = handshake.receive(input, start, end - start, out, outLength);
                        outLength += handshake.answerLength();
                        if (handshake.hasFailed())
                        {
                            return;
                        }
                    }
                    else
                    {
                        consumed = decoder.decode(input, start, end - start, this);
                        if (decoder.hasFailed())
                        {
                            return;
                        }
                    }
                    if (consumed == 0)
                    {
                        break;
                    }
                    start += consumed;
                }
                System.arraycopy(bytes, start, bytes, 0, end - start);
                end -= start;
                flush();
            }
        }

        private synchronized void flush() throws IOException
        {
            if (outLength > 0)
            {
                output.write(out.byteArray(), 0, outLength);
                output.flush();
                outLength = 0;
            }
        }

        /** Write bytes that were chunked once for every player (called by the publisher's thread). */
        synchronized void writeShared(final byte[] chunked) throws IOException
        {
            flush();
            output.write(chunked);
            output.flush();
        }

        @Override
        public boolean onMessage(
            final int csid, final int timestamp, final int typeId, final int streamId, final DirectBuffer buffer,
            final int offset, final int length)
        {
            try
            {
                switch (typeId)
                {
                    case MessageType.AMF0_COMMAND:
                    case MessageType.AMF3_COMMAND:
                        command(RtmpCommand.decode(reader, buffer, offset, length, typeId));
                        break;
                    case MessageType.AMF0_DATA:
                        if (publishing != null && DataMessage.isMetaData(buffer, offset, length))
                        {
                            final int at = DataMessage.metaDataOffset(buffer, offset, length);
                            relay(DATA_CSID, timestamp, MessageType.AMF0_DATA, buffer, at, offset + length - at);
                        }
                        break;
                    case MessageType.AUDIO:
                        relay(AUDIO_CSID, timestamp, typeId, buffer, offset, length);
                        break;
                    case MessageType.VIDEO:
                        relay(VIDEO_CSID, timestamp, typeId, buffer, offset, length);
                        break;
                    default:
                        break;
                }
                return true;
            }
            catch (final IOException e)
            {
                throw new IllegalStateException(e);
            }
        }

        private void command(final RtmpCommand command) throws IOException
        {
            final double txn = command.transactionId();
            switch (command.name())
            {
                case CommandName.CONNECT:
                    synchronized (this)
                    {
                        outLength += control.windowAckSize(out, outLength, WINDOW);
                        outLength += control.setPeerBandwidth(out, outLength, WINDOW, ProtocolControl.LIMIT_DYNAMIC);
                        outLength += control.setChunkSize(out, outLength, CHUNK_SIZE);
                        send(0, CommandWriter.connectResult(writer.wrap(body, 0), txn, 0, "Connection succeeded."));
                    }
                    break;
                case CommandName.RELEASE_STREAM:
                    send(0, CommandWriter.result(writer.wrap(body, 0), txn));
                    break;
                case CommandName.FC_PUBLISH:
                    send(0, CommandWriter.onFcPublish(writer.wrap(body, 0), command.stringArgument(0)));
                    break;
                case CommandName.CREATE_STREAM:
                    send(0, CommandWriter.createStreamResult(writer.wrap(body, 0), txn, MESSAGE_STREAM_ID));
                    break;
                case CommandName.PUBLISH:
                    publishing = command.stringArgument(0);
                    streams.computeIfAbsent(publishing, k -> new Stream());
                    status(StatusCode.LEVEL_STATUS, StatusCode.PUBLISH_START, PUBLISHER_PID);
                    break;
                case CommandName.PLAY:
                    play(command.stringArgument(0));
                    break;
                default:
                    break;
            }
            flush();
        }

        private void play(final String name) throws IOException
        {
            playing = name;
            playerBehaviour = behaviour.apply(name);
            if (playerBehaviour == Behaviour.REJECT_PLAY)
            {
                status(StatusCode.LEVEL_ERROR, StatusCode.PLAY_STREAM_NOT_FOUND, 0);
                return;
            }
            synchronized (this)
            {
                outLength += control.userControl(out, outLength, UserControl.STREAM_BEGIN, MESSAGE_STREAM_ID);
            }
            status(StatusCode.LEVEL_STATUS, StatusCode.PLAY_RESET, 0);
            status(StatusCode.LEVEL_STATUS, StatusCode.PLAY_START,
                playerBehaviour == Behaviour.OTHER_WORKER ? OTHER_PID : PUBLISHER_PID);
            flush();
            final Stream stream = streams.computeIfAbsent(name, k -> new Stream());
            synchronized (stream)
            {
                for (final byte[] cached : new byte[][] {stream.metadata, stream.videoHeader, stream.audioHeader})
                {
                    if (cached != null && playerBehaviour != Behaviour.NO_MEDIA)
                    {
                        writeShared(cached);
                    }
                }
                for (final byte[] frame : stream.gop)
                {
                    forward(frame, seqOf(frame));
                }
                stream.players.add(this);
            }
        }

        private void status(final String level, final String code, final int pid)
        {
            final Amf0Writer w = CommandWriter.onStatusOpen(writer.wrap(body, 0), level, code,
                code + (pid != 0 ? " (test worker " + pid + ")" : ""));
            if (namesWorkers && pid != 0)
            {
                w.property("workerPid", pid);
            }
            send(MESSAGE_STREAM_ID, w.objectEnd());
        }

        private synchronized void send(final int streamId, final Amf0Writer command)
        {
            outLength += encoder.encode(out, outLength, COMMAND_CSID, 0, MessageType.AMF0_COMMAND, streamId, body, 0,
                command.length());
        }

        /** A publisher's message: cache it as a live relay does and copy it to every player. */
        private void relay(final int csid, final int timestamp, final int typeId, final DirectBuffer buffer, final int offset,
            final int length) throws IOException
        {
            if (publishing == null)
            {
                return;
            }
            final ExpandableArrayBuffer chunked = new ExpandableArrayBuffer(length + 256);
            final int n = media.encode(chunked, 0, csid, timestamp, typeId, MESSAGE_STREAM_ID, buffer, offset, length);
            final byte[] bytes = Arrays.copyOf(chunked.byteArray(), n);
            final Stream stream = streams.get(publishing);
            final int seq = typeId == MessageType.VIDEO ? videoSeq(buffer, offset, length) : -1;
            if (seq == STALL_AT && behaviour.apply(publishing) == Behaviour.STALL)
            {
                sleep(STALL_MILLIS);
            }
            synchronized (stream)
            {
                if (typeId == MessageType.AMF0_DATA)
                {
                    stream.metadata = bytes;
                }
                else if (typeId == MessageType.VIDEO && VideoTag.isSequenceHeader(buffer, offset, length))
                {
                    stream.videoHeader = bytes;
                }
                else if (typeId == MessageType.AUDIO && length > 1 && buffer.getByte(offset + 1) == 0)
                {
                    stream.audioHeader = bytes;
                }
                else
                {
                    if (typeId == MessageType.VIDEO && VideoTag.isKeyFrame(buffer, offset, length))
                    {
                        stream.gop.clear();
                    }
                    stream.gop.add(bytes);
                }
                for (final Session player : List.copyOf(stream.players))
                {
                    player.forward(bytes, seq);
                }
            }
        }

        /** One message to this player, with its stream's misbehaviour. */
        void forward(final byte[] chunked, final int seq)
        {
            if (broken || playerBehaviour == Behaviour.NO_MEDIA)
            {
                return;
            }
            try
            {
                switch (playerBehaviour)
                {
                    case DROP:
                        if (DROPPED.contains(seq))
                        {
                            return;
                        }
                        break;
                    case REORDER:
                        if (seq == REORDERED_FIRST)
                        {
                            held = chunked;
                            return;
                        }
                        if (held != null && seq == REORDERED_FIRST + 1)
                        {
                            writeShared(chunked);
                            writeShared(held);
                            held = null;
                            return;
                        }
                        break;
                    case GARBAGE:
                        if (seq == BREAK_AT)
                        {
                            final byte[] junk = new byte[64];
                            Arrays.fill(junk, (byte)0xFF);
                            writeShared(junk);
                            broken = true;
                            return;
                        }
                        break;
                    case RESET:
                        if (seq == BREAK_AT)
                        {
                            broken = true;
                            socket.setSoLinger(true, 0);
                            socket.close();
                            return;
                        }
                        break;
                    case CLOSE:
                        if (seq == BREAK_AT)
                        {
                            broken = true;
                            socket.shutdownOutput();
                            return;
                        }
                        break;
                    default:
                        break;
                }
                writeShared(chunked);
            }
            catch (final IOException e)
            {
                broken = true;
            }
        }

        void leave()
        {
            if (playing != null)
            {
                final Stream stream = streams.get(playing);
                if (stream != null)
                {
                    synchronized (stream)
                    {
                        stream.players.remove(this);
                    }
                }
            }
        }
    }

    /** The seq in a chunked video message's stamp (fmt 0 header of 12 bytes, one chunk holds the stamp). */
    private static int seqOf(final byte[] chunked)
    {
        final int headerLength = 1 + ChunkHeader.FMT_0_LENGTH;
        if (chunked.length <= headerLength || (chunked[1 + ChunkHeader.TYPE_ID_OFFSET] & 0xFF) != MessageType.VIDEO)
        {
            return -1;
        }
        final UnsafeBuffer b = new UnsafeBuffer(chunked);
        return videoSeq(b, headerLength, Math.min(chunked.length - headerLength, CHUNK_SIZE));
    }

    private static int videoSeq(final DirectBuffer buffer, final int offset, final int length)
    {
        final int stamp = SyntheticMedia.stampOffset(MessageType.VIDEO, buffer, offset, length);
        return stamp < 0 ? -1 : SyntheticMedia.stampSeq(buffer, stamp);
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
