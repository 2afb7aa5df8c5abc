package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

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
 *   <li>The header rules, extended timestamps included: {@link ChunkHeaderReader}.</li>
 *   <li>Set Chunk Size (type 1): applied before the handler sees it, so it governs the very next
 *       chunk; {@link #chunkSize(int)} may also be called from the handler (or by a client whose
 *       peer's size it knows).</li>
 *   <li>Abort Message (type 2): the named chunk stream's partial message is dropped.</li>
 * </ul>
 * Both control messages are still handed to the handler (for counters and logs).
 *
 * <h2>Limits and errors</h2>
 * A message longer than {@code maxMessageLength}, more than {@code maxChunkStreams} chunk streams in
 * use, partial messages holding more than {@code maxAssemblyBytes}, a header that breaks the rules,
 * a Set Chunk Size of 0 or with the top bit set: the decoder fails, keeps the reason
 * ({@link #failureReason()}) and consumes nothing more until {@link #reset()}. Check
 * {@link #hasFailed()} after each call. Memory is bounded by the limits: assembly buffers grow with
 * bytes received, never with a length announced.
 */
public final class ChunkDecoder
{
    /** Default bound of one message: 8 MiB, above any video frame a live encoder sends. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 * 1024 * 1024;
    /** Default bound of chunk streams in use on a connection (ffmpeg and OBS use fewer than 8). */
    public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;
    /** Default bound of bytes held for partial messages across all chunk streams. */
    public static final int DEFAULT_MAX_ASSEMBLY_BYTES = 16 * 1024 * 1024;

    private final int maxAssemblyBytes;
    private final ChunkHeaderReader headers;
    private final ChunkStreams streams;
    private int assemblyBytes;

    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;

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
        if (maxChunkStreams < 1 || maxAssemblyBytes < 0)
        {
            throw new IllegalArgumentException("max chunk streams must be >= 1 and max assembly bytes >= 0");
        }
        this.headers = new ChunkHeaderReader(maxMessageLength);
        this.streams = new ChunkStreams(maxChunkStreams);
        this.maxAssemblyBytes = maxAssemblyBytes;
    }

    /** Forget everything, for a new connection (chunk size back to 128). */
    public void reset()
    {
        headers.reset();
        streams.clear();
        assemblyBytes = 0;
        chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
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
        return streams.count();
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

            final int headerLength = headers.read(buffer, position, limit - position, streams);
            if (ChunkHeaderReader.BROKEN == headerLength)
            {
                fail(headers.failureReason());
                break;
            }
            if (ChunkHeaderReader.INCOMPLETE == headerLength)
            {
                break;
            }
            position += headerLength;

            final ChunkStream stream = headers.stream();
            current = stream;
            chunkRemaining = Math.min(chunkSize, stream.messageLength - stream.received);
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
        final ChunkStream aborted = streams.find(ProtocolControl.abortedCsid(buffer, offset));
        if (null != aborted)
        {
            aborted.dropMessage();
        }
        return true;
    }

    private void fail(final String reason)
    {
        failureReason = reason;
        current = null;
        chunkRemaining = 0;
    }
}
