package dev.mpserver.worker.session.rtmp;

import java.util.SplittableRandom;

import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.ConnectRequest;
import dev.mpserver.protocol.rtmp.ControlMessageWriter;
import dev.mpserver.protocol.rtmp.Handshake;
import dev.mpserver.protocol.rtmp.ServerHandshake;

/**
 * What an RTMP session keeps per client, in arrays indexed by the client's slot: its phase, its
 * codecs (handshake, incoming chunk decoder, outgoing compressing encoder), what its {@code connect}
 * said and what it is owed (acknowledgements). The codec objects are made the first time a slot
 * speaks RTMP and reset for each later client of the slot, so a session allocates nothing per
 * message and nothing per client once its slot has served RTMP before.
 *
 * <pre>
 *   phase:  HANDSHAKE ──C0+C1 answered, C2 read──▶ CHUNKS
 *           (a handed-over client starts in CHUNKS: its handshake was done by the worker it comes from)
 * </pre>
 */
final class RtmpSlots
{
    static final byte HANDSHAKE = 0;
    static final byte CHUNKS = 1;

    /**
     * Longest message a client may send: above any live video frame (an I-frame of 8 Mbit/s 1080p
     * is ~0.5 MiB), far below what would let a few clients exhaust the worker.
     */
    static final int MAX_MESSAGE_LENGTH = 4 * 1024 * 1024;
    /** Partial messages one client may have across its chunk streams. */
    static final int MAX_ASSEMBLY_BYTES = 2 * MAX_MESSAGE_LENGTH;
    /** Chunk streams one client may use (ffmpeg and OBS use fewer than 8). */
    static final int MAX_CHUNK_STREAMS = 64;

    private final SplittableRandom random = new SplittableRandom();
    private final ServerHandshake[] handshake;
    private final ChunkDecoder[] decoder;
    private final ChunkEncoder[] encoder;
    private final ControlMessageWriter[] control;
    private final byte[] phase;
    private final ConnectRequest[] connect;
    /** Transaction id of a {@code connect} read but not answered yet, else 0. */
    private final double[] connectTransaction;
    private final boolean[] connected;
    private final boolean[] streamCreated;
    /** The client's Window Acknowledgement Size (0: none), and the byte count last acknowledged. */
    private final long[] peerWindow;
    private final long[] acknowledged;
    /** Why the session ends, for the error the client is sent; null if none. */
    private final String[] failure;
    /** The client was already told why it is ended (BadName...): the refusal adds nothing. */
    private final boolean[] told;

    RtmpSlots(final int capacity)
    {
        handshake = new ServerHandshake[capacity];
        decoder = new ChunkDecoder[capacity];
        encoder = new ChunkEncoder[capacity];
        control = new ControlMessageWriter[capacity];
        phase = new byte[capacity];
        connect = new ConnectRequest[capacity];
        connectTransaction = new double[capacity];
        connected = new boolean[capacity];
        streamCreated = new boolean[capacity];
        peerWindow = new long[capacity];
        acknowledged = new long[capacity];
        failure = new String[capacity];
        told = new boolean[capacity];
    }

    /** A new client on {@code slot}: handshake first. */
    void open(final int slot)
    {
        reset(slot, HANDSHAKE);
        handshake[slot].reset();
    }

    /** A client handed over after its handshake: the chunk stream starts with the bytes it replays. */
    void openResumed(final int slot)
    {
        reset(slot, CHUNKS);
    }

    /** The client left: drop what it referenced (its codecs stay for the slot's next client). */
    void clear(final int slot)
    {
        connect[slot] = null;
        failure[slot] = null;
    }

    private void reset(final int slot, final byte initialPhase)
    {
        if (null == handshake[slot])
        {
            handshake[slot] = new ServerHandshake(random.split());
            decoder[slot] = new ChunkDecoder(MAX_MESSAGE_LENGTH, MAX_CHUNK_STREAMS, MAX_ASSEMBLY_BYTES);
            encoder[slot] = ChunkEncoder.compressing(ChunkHeader.DEFAULT_CHUNK_SIZE);
            control[slot] = new ControlMessageWriter(encoder[slot]);
        }
        decoder[slot].reset();
        encoder[slot].chunkSize(ChunkHeader.DEFAULT_CHUNK_SIZE);
        encoder[slot].forgetAll();
        phase[slot] = initialPhase;
        connect[slot] = null;
        connectTransaction[slot] = 0;
        connected[slot] = false;
        streamCreated[slot] = false;
        peerWindow[slot] = 0;
        acknowledged[slot] = 0;
        failure[slot] = null;
        told[slot] = false;
    }

    byte phase(final int slot)
    {
        return phase[slot];
    }

    void phase(final int slot, final byte newPhase)
    {
        phase[slot] = newPhase;
    }

    ServerHandshake handshake(final int slot)
    {
        return handshake[slot];
    }

    ChunkDecoder decoder(final int slot)
    {
        return decoder[slot];
    }

    ChunkEncoder encoder(final int slot)
    {
        return encoder[slot];
    }

    ControlMessageWriter control(final int slot)
    {
        return control[slot];
    }

    ConnectRequest connect(final int slot)
    {
        return connect[slot];
    }

    /** {@code connect} was read (transaction id {@code transactionId}); its answer may wait for routing. */
    void connect(final int slot, final ConnectRequest request, final double transactionId)
    {
        connect[slot] = request;
        connectTransaction[slot] = transactionId;
    }

    /** Transaction id of the {@code connect} not answered yet, or 0. */
    double pendingConnectTransaction(final int slot)
    {
        return connected[slot] ? 0 : connectTransaction[slot];
    }

    boolean isConnected(final int slot)
    {
        return connected[slot];
    }

    void connected(final int slot)
    {
        connected[slot] = true;
    }

    boolean hasStream(final int slot)
    {
        return streamCreated[slot];
    }

    void streamCreated(final int slot)
    {
        streamCreated[slot] = true;
    }

    void peerWindow(final int slot, final long windowSize)
    {
        peerWindow[slot] = windowSize;
    }

    /**
     * @return the byte count to acknowledge now (handshake included, as the client counts), or -1
     *     if the client's window has not filled since the last acknowledgement
     */
    long acknowledgementDue(final int slot)
    {
        final long received = Handshake.VERSION_AND_PACKET_LENGTH + Handshake.PACKET_LENGTH + decoder[slot].bytesReceived();
        if (peerWindow[slot] <= 0 || received - acknowledged[slot] < peerWindow[slot])
        {
            return -1;
        }
        acknowledged[slot] = received;
        return received;
    }

    String failure(final int slot)
    {
        return failure[slot];
    }

    void failure(final int slot, final String reason)
    {
        failure[slot] = reason;
    }

    boolean wasTold(final int slot)
    {
        return told[slot];
    }

    void told(final int slot)
    {
        told[slot] = true;
    }
}
