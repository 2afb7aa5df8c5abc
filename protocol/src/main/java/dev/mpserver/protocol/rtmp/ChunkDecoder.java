package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_ESCAPE_BASE;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_FIELD_THREE_BYTES;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_FIELD_TWO_BYTES;
import static dev.mpserver.protocol.rtmp.ChunkHeader.CSID_MASK;
import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_LENGTH;
import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_MARKER;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_0;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_1;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_2;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_3;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_SHIFT;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_LENGTH_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_STREAM_ID_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TIMESTAMP_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TYPE_ID_OFFSET;

/**
 * Incremental decoder of one direction of an RTMP chunk stream (layouts: {@link ChunkHeader}): it
 * turns chunks into whole messages for a {@link MessageHandler}. One instance per connection
 * direction; allocation-free once every chunk stream's largest message has been seen.
 *
 * <h2>Contract of {@link #decode}</h2>
 * It consumes what it can from the start of the region, calls the handler once per completed
 * message and returns the bytes consumed. Chunk headers are consumed only whole (at most
 * {@link ChunkHeader#MAX_HEADER_LENGTH} bytes stay unconsumed); payload bytes are consumed as they
 * arrive. The caller keeps unconsumed bytes and passes them again, followed by what arrived since,
 * in place or moved. A message that arrives in one chunk with all its bytes in the region is
 * handed over as a view of the caller's buffer (no copy); any other is assembled in its chunk
 * stream's reused buffer. A handler that returns false stops decoding right after its message.
 *
 * <h2>What it handles itself</h2>
 * <ul>
 *   <li>Set Chunk Size (type 1): applied before the handler sees it, so it governs the very next
 *       chunk; {@link #chunkSize(int)} may also be called from the handler (or by a client whose
 *       peer's size it knows).</li>
 *   <li>Abort Message (type 2): the named chunk stream's partial message is dropped.</li>
 *   <li>The extended timestamp on fmt 3 continuation chunks: ffmpeg and nginx-rtmp repeat it,
 *       some senders do not. As SRS does, the decoder compares the 4 bytes after such a chunk's
 *       basic header with the message's extended timestamp: equal means repeated. The first such
 *       chunk also settles it for the connection: once a sender has been seen not to repeat, the
 *       bytes are never taken for a timestamp again (no payload can be mistaken for one later).
 *       Until it is settled the decoder needs those 4 bytes to decide, so a non-repeating sender's
 *       first such chunk is decoded when 4 more bytes have arrived (the next message's).</li>
 *   <li>A fmt 1 header on a fresh chunk stream (librtmp sends its pings so) is accepted with
 *       message stream id 0; a fmt 1 or 2 header in the middle of a message is accepted if it does
 *       not change the length, as ffmpeg and SRS accept it.</li>
 * </ul>
 * Both control messages are still handed to the handler (for counters and logs).
 *
 * <h2>Limits and errors</h2>
 * A message longer than {@code maxMessageLength}, more than {@code maxChunkStreams} chunk streams in
 * use, partial messages holding more than {@code maxAssemblyBytes}, a fmt 2 or 3 header on a chunk
 * stream without a previous header, a fmt 0 in the middle of a message, a Set Chunk Size of 0 or with
 * the top bit set: the decoder fails, keeps the reason ({@link #failureReason()}) and consumes
 * nothing more until {@link #reset()}. Check {@link #hasFailed()} after each call. Memory is
 * bounded by the limits: assembly buffers grow with bytes received, never with a length announced.
 */
public final class ChunkDecoder
{
    /** Default bound of one message: 8 MiB, above any video frame a live encoder sends. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 * 1024 * 1024;
    /** Default bound of chunk streams in use on a connection (ffmpeg and OBS use fewer than 8). */
    public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;
    /** Default bound of bytes held for partial messages across all chunk streams. */
    public static final int DEFAULT_MAX_ASSEMBLY_BYTES = 16 * 1024 * 1024;

    private static final int INCOMPLETE = 0;
    private static final int BROKEN = -1;

    /** Whether the peer repeats the extended timestamp on continuation chunks: not seen yet. */
    private static final int REPEAT_UNKNOWN = 0;
    private static final int REPEAT_SEEN = 1;
    private static final int REPEAT_OMITTED = 2;

    private final int maxMessageLength;
    private final int maxChunkStreams;
    private final int maxAssemblyBytes;

    /** Chunk streams 2..63, the ones clients use, found without hashing. */
    private final ChunkStream[] lowChunkStreams = new ChunkStream[ChunkHeader.MAX_ONE_BYTE_CSID + 1];
    private final Int2ObjectHashMap<ChunkStream> highChunkStreams = new Int2ObjectHashMap<>();
    private int chunkStreamCount;
    private int assemblyBytes;

    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
    private int extendedRepeat = REPEAT_UNKNOWN;

    /** The chunk stream whose chunk payload is being received, while {@link #chunkRemaining} > 0. */
    private ChunkStream current;
    private int chunkRemaining;

    private long bytesReceived;
    private String failureReason;

    /** A decoder with the default limits. */
    public ChunkDecoder()
    {
        this(DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_CHUNK_STREAMS, DEFAULT_MAX_ASSEMBLY_BYTES);
    }

    /**
     * @param maxMessageLength longest message accepted, 0..{@link ChunkHeader#MAX_MESSAGE_LENGTH}.
     * @param maxChunkStreams  most chunk streams a peer may use.
     * @param maxAssemblyBytes most bytes the assembly buffers of all chunk streams may hold together.
     */
    public ChunkDecoder(final int maxMessageLength, final int maxChunkStreams, final int maxAssemblyBytes)
    {
        if (maxMessageLength < 0 || maxMessageLength > ChunkHeader.MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("max message length " + maxMessageLength + " outside 0..16777215");
        }
        if (maxChunkStreams < 1 || maxAssemblyBytes < 0)
        {
            throw new IllegalArgumentException("max chunk streams must be >= 1 and max assembly bytes >= 0");
        }
        this.maxMessageLength = maxMessageLength;
        this.maxChunkStreams = maxChunkStreams;
        this.maxAssemblyBytes = maxAssemblyBytes;
    }

    /** Forget everything, for a new connection (chunk size back to 128). */
    public void reset()
    {
        Arrays.fill(lowChunkStreams, null);
        highChunkStreams.clear();
        chunkStreamCount = 0;
        assemblyBytes = 0;
        chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
        extendedRepeat = REPEAT_UNKNOWN;
        current = null;
        chunkRemaining = 0;
        bytesReceived = 0;
        failureReason = null;
    }

    /** @return the incoming chunk size now in force. */
    public int chunkSize()
    {
        return chunkSize;
    }

    /**
     * Set the incoming chunk size; from a handler it applies from the next chunk on. Set Chunk Size
     * messages are applied without this call.
     */
    public void chunkSize(final int chunkSize)
    {
        if (chunkSize < 1)
        {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not positive");
        }
        this.chunkSize = chunkSize;
    }

    /** @return bytes consumed since construction or {@link #reset()}: the count Acknowledgements report (add the handshake's 3073). */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    /** @return chunk streams the peer has used. */
    public int chunkStreamCount()
    {
        return chunkStreamCount;
    }

    /** @return bytes held by the assembly buffers of all chunk streams. */
    public int assemblyBytes()
    {
        return assemblyBytes;
    }

    public boolean hasFailed()
    {
        return null != failureReason;
    }

    /** @return why decoding stopped for good, or null. */
    public String failureReason()
    {
        return failureReason;
    }

    /**
     * Decode what can be decoded from the start of a region.
     *
     * @param buffer  holding the peer's unconsumed bytes.
     * @param offset  where the first unconsumed byte is.
     * @param length  how many unconsumed bytes there are.
     * @param handler told about each complete message.
     * @return bytes consumed from {@code offset}.
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length, final MessageHandler handler)
    {
        final int limit = offset + length;
        int position = offset;
        boolean proceed = true;

        while (proceed && position < limit && null == failureReason)
        {
            if (chunkRemaining > 0)
            {
                final ChunkStream stream = current;
                final int take = Math.min(chunkRemaining, limit - position);
                if (!append(stream, buffer, position, take))
                {
                    break;
                }
                position += take;
                chunkRemaining -= take;
                if (0 == chunkRemaining && stream.received == stream.messageLength)
                {
                    proceed = complete(stream, stream.assembly, 0, stream.messageLength, handler);
                }
                continue;
            }

            final int headerLength = readHeader(buffer, position, limit - position);
            if (headerLength <= INCOMPLETE)
            {
                break;
            }
            position += headerLength;

            final ChunkStream stream = current;
            if (0 == stream.received && chunkRemaining == stream.messageLength && limit - position >= chunkRemaining)
            {
                // The whole message is in this chunk and in the caller's buffer: hand over a view.
                final int messageOffset = position;
                position += chunkRemaining;
                chunkRemaining = 0;
                proceed = complete(stream, buffer, messageOffset, stream.messageLength, handler);
            }
        }

        final int consumed = position - offset;
        bytesReceived += consumed;
        return consumed;
    }

    /**
     * Parse and apply the chunk header at {@code position}; on success {@link #current} is its chunk
     * stream and {@link #chunkRemaining} the payload bytes this chunk carries.
     *
     * @return the header's length, {@link #INCOMPLETE} (nothing changed) or {@link #BROKEN}.
     */
    private int readHeader(final DirectBuffer buffer, final int position, final int available)
    {
        final int first = buffer.getByte(position) & 0xFF;
        final int fmt = first >>> FMT_SHIFT;
        final int csidField = first & CSID_MASK;
        final int basicLength;
        final int csid;
        if (CSID_FIELD_TWO_BYTES == csidField)
        {
            if (available < 2)
            {
                return INCOMPLETE;
            }
            basicLength = 2;
            csid = CSID_ESCAPE_BASE + (buffer.getByte(position + 1) & 0xFF);
        }
        else if (CSID_FIELD_THREE_BYTES == csidField)
        {
            if (available < 3)
            {
                return INCOMPLETE;
            }
            basicLength = 3;
            csid = CSID_ESCAPE_BASE + (buffer.getShort(position + 1, ByteOrder.LITTLE_ENDIAN) & 0xFFFF);
        }
        else
        {
            basicLength = 1;
            csid = csidField;
        }

        ChunkStream stream = find(csid);
        final boolean fresh = null == stream || !stream.hasHeader;
        if (fresh && (FMT_2 == fmt || FMT_3 == fmt))
        {
            return fail("chunk stream " + csid + " starts with a fmt " + fmt + " header, which refers to a previous one");
        }
        final boolean continuation = null != stream && stream.inProgress;
        if (continuation && FMT_0 == fmt)
        {
            return fail("fmt 0 header in the middle of a message on chunk stream " + csid);
        }

        final int messageHeader = position + basicLength;
        int headerLength = basicLength + ChunkHeader.messageHeaderLength(fmt);
        if (available < headerLength)
        {
            return INCOMPLETE;
        }

        final int timestampField = FMT_3 == fmt ?
            stream.timestampField : ChunkHeader.getInt24(buffer, messageHeader + TIMESTAMP_OFFSET);
        boolean extended = EXTENDED_TIMESTAMP_MARKER == timestampField;
        int extendedTimestamp = 0;
        if (extended)
        {
            final boolean mayBeRepeated = FMT_3 == fmt && continuation;
            if (mayBeRepeated && REPEAT_OMITTED == extendedRepeat)
            {
                // This sender does not repeat it: do not wait for 4 bytes that may be the next message.
                extended = false;
            }
            else
            {
                if (available < headerLength + EXTENDED_TIMESTAMP_LENGTH)
                {
                    return INCOMPLETE;
                }
                extendedTimestamp = buffer.getInt(position + headerLength, ByteOrder.BIG_ENDIAN);
                if (mayBeRepeated)
                {
                    extended = isRepeatedExtendedTimestamp(stream, extendedTimestamp);
                }
                if (extended)
                {
                    headerLength += EXTENDED_TIMESTAMP_LENGTH;
                }
            }
        }

        final int announcedLength = FMT_0 == fmt || FMT_1 == fmt ?
            ChunkHeader.getInt24(buffer, messageHeader + MESSAGE_LENGTH_OFFSET) : 0;
        if (continuation)
        {
            if (FMT_1 == fmt && announcedLength != stream.messageLength)
            {
                return fail("message length changed from " + stream.messageLength + " to " + announcedLength +
                    " in the middle of a message on chunk stream " + csid);
            }
        }
        else
        {
            if ((FMT_0 == fmt || FMT_1 == fmt) && announcedLength > maxMessageLength)
            {
                return fail("message of " + announcedLength + " bytes on chunk stream " + csid +
                    " is over the limit of " + maxMessageLength);
            }
            if (null == stream)
            {
                if (chunkStreamCount >= maxChunkStreams)
                {
                    return fail("chunk stream " + csid + " would be one more than the " + maxChunkStreams + " allowed");
                }
                stream = add(csid);
            }
            final int value = extended ? extendedTimestamp : timestampField;
            startMessage(stream, buffer, messageHeader, fmt, value, announcedLength);
            if (FMT_3 != fmt)
            {
                stream.timestampField = timestampField;
            }
            stream.extendedTimestamp = extendedTimestamp;
        }

        current = stream;
        chunkRemaining = Math.min(chunkSize, stream.messageLength - stream.received);
        return headerLength;
    }

    private static void startMessage(
        final ChunkStream stream,
        final DirectBuffer buffer,
        final int messageHeader,
        final int fmt,
        final int timestampOrDelta,
        final int length)
    {
        switch (fmt)
        {
            case FMT_0:
                stream.timestamp = timestampOrDelta;
                stream.timestampDelta = timestampOrDelta;
                stream.messageStreamId = buffer.getInt(messageHeader + MESSAGE_STREAM_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
                break;

            case FMT_1:
                if (!stream.hasHeader)
                {
                    stream.timestamp = 0;
                    stream.messageStreamId = 0;
                }
                stream.timestamp += timestampOrDelta;
                stream.timestampDelta = timestampOrDelta;
                break;

            case FMT_2:
                stream.timestamp += timestampOrDelta;
                stream.timestampDelta = timestampOrDelta;
                break;

            default:
                if (EXTENDED_TIMESTAMP_MARKER == stream.timestampField)
                {
                    stream.timestampDelta = timestampOrDelta;
                }
                stream.timestamp += stream.timestampDelta;
                break;
        }
        if (FMT_0 == fmt || FMT_1 == fmt)
        {
            stream.messageLength = length;
            stream.typeId = buffer.getByte(messageHeader + TYPE_ID_OFFSET) & 0xFF;
        }
        stream.hasHeader = true;
        stream.inProgress = true;
        stream.received = 0;
    }

    /** SRS's test; the first answer is kept for the connection ({@link #readHeader} stops asking once it was no). */
    private boolean isRepeatedExtendedTimestamp(final ChunkStream stream, final int nextFourBytes)
    {
        final boolean repeated = nextFourBytes == stream.extendedTimestamp;
        if (REPEAT_UNKNOWN == extendedRepeat)
        {
            extendedRepeat = repeated ? REPEAT_SEEN : REPEAT_OMITTED;
        }
        return repeated;
    }

    private boolean append(final ChunkStream stream, final DirectBuffer buffer, final int position, final int take)
    {
        final int capacity = stream.capacityFor(take);
        final int growth = capacity - stream.assembly.capacity();
        if (growth > 0)
        {
            if ((long)assemblyBytes + growth > maxAssemblyBytes)
            {
                fail("partial messages would hold " + ((long)assemblyBytes + growth) + " bytes, over the limit of " +
                    maxAssemblyBytes);
                return false;
            }
            stream.growAssembly(capacity);
            assemblyBytes += growth;
        }
        stream.assembly.putBytes(stream.received, buffer, position, take);
        stream.received += take;
        return true;
    }

    private boolean complete(
        final ChunkStream stream, final DirectBuffer buffer, final int offset, final int length, final MessageHandler handler)
    {
        stream.dropMessage();
        if (MessageType.SET_CHUNK_SIZE == stream.typeId && !applySetChunkSize(buffer, offset, length))
        {
            return false;
        }
        if (MessageType.ABORT == stream.typeId && !applyAbort(buffer, offset, length))
        {
            return false;
        }
        return handler.onMessage(
            stream.csid, stream.timestamp, stream.typeId, stream.messageStreamId, buffer, offset, length);
    }

    private boolean applySetChunkSize(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ProtocolControl.SET_CHUNK_SIZE_LENGTH)
        {
            fail("Set Chunk Size of " + length + " bytes, not 4");
            return false;
        }
        final int size = ProtocolControl.chunkSize(buffer, offset);
        if (size < 1)
        {
            fail("Set Chunk Size " + Integer.toUnsignedString(size) + " outside 1..2147483647");
            return false;
        }
        chunkSize = size;
        return true;
    }

    private boolean applyAbort(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ProtocolControl.ABORT_LENGTH)
        {
            fail("Abort Message of " + length + " bytes, not 4");
            return false;
        }
        final ChunkStream aborted = find(ProtocolControl.abortedCsid(buffer, offset));
        if (null != aborted)
        {
            aborted.dropMessage();
        }
        return true;
    }

    private ChunkStream find(final int csid)
    {
        return csid < lowChunkStreams.length ? lowChunkStreams[csid] : highChunkStreams.get(csid);
    }

    private ChunkStream add(final int csid)
    {
        final ChunkStream stream = new ChunkStream(csid);
        if (csid < lowChunkStreams.length)
        {
            lowChunkStreams[csid] = stream;
        }
        else
        {
            highChunkStreams.put(csid, stream);
        }
        chunkStreamCount++;
        return stream;
    }

    private int fail(final String reason)
    {
        failureReason = reason;
        current = null;
        chunkRemaining = 0;
        return BROKEN;
    }
}
