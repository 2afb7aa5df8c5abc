package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.ChunkHeaderReader;
import dev.mpserver.protocol.rtmp.ChunkStream;
import dev.mpserver.protocol.rtmp.ChunkStreams;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A chunk stream reader for loadgen's clients that keeps only what a client needs: whole messages
 * for control, commands and data (up to {@link #MAX_WHOLE_MESSAGE}), and only the first
 * {@link #MEDIA_PREFIX} bytes of each audio and video message, whose stamp is all a player reads. The
 * rest of a media message is counted and skipped as it streams by.
 *
 * <p>Why not {@code protocol}'s {@code ChunkDecoder}: it assembles every message whole, so each
 * connection's buffer grows to the largest keyframe it has seen (tens to hundreds of KiB); a
 * thousand players would hold that many keyframes. Here a player holds a few hundred bytes however
 * large the frames are, and reads straight from its engine thread's shared input buffer: payload
 * bytes are consumed as they arrive and only a partial chunk header (at most
 * {@link ChunkHeader#MAX_HEADER_LENGTH} bytes) is left for the caller to carry to the next read. The
 * headers are read by the decoder's own {@link ChunkHeaderReader}; Set Chunk Size and Abort are
 * applied before the listener sees them.
 *
 * <p>Limits: {@link #MAX_CHUNK_STREAMS} chunk streams (every server uses 2..8); a command or control
 * message over {@link #MAX_WHOLE_MESSAGE} bytes fails the reader; a data message over it is skipped
 * and counted. After a failure ({@link #failureReason()}) nothing more is consumed until
 * {@link #reset()}.
 */
public final class SkimmingChunkReader
{
    /** What a client is told: whole non-media messages, and media messages by their first bytes. */
    public interface Listener
    {
        /** A whole control, command or data message. @return false to stop right after it. */
        boolean onMessage(int timestamp, int typeId, int messageStreamId, DirectBuffer buffer, int offset, int length);

        /**
         * An audio, video or aggregate message has arrived whole; only its first {@code kept} bytes are
         * in the buffer ({@code kept = min(length, MEDIA_PREFIX)}). @return false to stop right after it.
         */
        boolean onMedia(int timestamp, int typeId, int messageStreamId, DirectBuffer prefix, int kept, int length);
    }

    /** Bytes of a media message kept: enough for the synthetic stamp and any FLV tag header. */
    public static final int MEDIA_PREFIX = 64;
    /** Longest command, control or data message kept whole (onStatus and onMetaData are a few hundred bytes). */
    public static final int MAX_WHOLE_MESSAGE = 64 * 1024;
    /** Chunk streams a peer may use at once (servers use 2, 3, 4, 5, 6, sometimes 8). */
    public static final int MAX_CHUNK_STREAMS = 12;

    private static final int INITIAL_WHOLE_CAPACITY = 512;

    private final ChunkHeaderReader headers = new ChunkHeaderReader(ChunkHeader.MAX_MESSAGE_LENGTH);
    private final ChunkStreams streams = new ChunkStreams(MAX_CHUNK_STREAMS);
    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
    private ChunkStream current;
    private int chunkRemaining;
    private int heldBytes;
    private long bytesReceived;
    private long oversizeDataSkipped;
    private String failureReason;

    /** Forget the connection (chunk size back to 128). */
    public void reset()
    {
        headers.reset();
        streams.clear();
        chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
        current = null;
        chunkRemaining = 0;
        heldBytes = 0;
        bytesReceived = 0;
        oversizeDataSkipped = 0;
        failureReason = null;
    }

    public int chunkSize()
    {
        return chunkSize;
    }

    /** @return bytes consumed since {@link #reset()}: what Acknowledgements count (plus the handshake's). */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    /** @return data messages longer than {@link #MAX_WHOLE_MESSAGE}, skipped unread. */
    public long oversizeDataSkipped()
    {
        return oversizeDataSkipped;
    }

    /** @return bytes this reader holds for its chunk streams (what a client costs beyond its socket). */
    public int heldBytes()
    {
        return heldBytes;
    }

    public boolean hasFailed()
    {
        return null != failureReason;
    }

    public String failureReason()
    {
        return failureReason;
    }

    /**
     * Read what can be read from the region.
     *
     * @return bytes consumed; what is left is part of a chunk header and must be passed again at the
     * start of the next call, followed by what arrived since.
     */
    public int read(final DirectBuffer buffer, final int offset, final int length, final Listener listener)
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
                keep(stream, buffer, position, take);
                position += take;
                chunkRemaining -= take;
                stream.addReceived(take);
                if (0 == chunkRemaining && stream.received() == stream.messageLength())
                {
                    proceed = complete(stream, listener);
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
            current = headers.stream();
            chunkRemaining = Math.min(chunkSize, current.messageLength() - current.received());
            if (0 == chunkRemaining && current.received() == current.messageLength())
            {
                proceed = complete(current, listener); // an empty message
            }
        }
        final int consumed = position - offset;
        bytesReceived += consumed;
        return consumed;
    }

    private void keep(final ChunkStream stream, final DirectBuffer buffer, final int position, final int take)
    {
        final int type = stream.typeId();
        final int at = stream.received();
        final int length = stream.messageLength();
        final int wanted = isMedia(type) ? Math.min(MEDIA_PREFIX, length) : length;
        if (at >= wanted || (!isMedia(type) && length > MAX_WHOLE_MESSAGE))
        {
            return;
        }
        final int copy = Math.min(take, wanted - at);
        final int capacity = stream.assembly().capacity();
        if (capacity < at + copy)
        {
            final int larger = Math.min(wanted, Math.max(at + copy, Math.max(capacity * 2, INITIAL_WHOLE_CAPACITY)));
            stream.growAssembly(larger);
            heldBytes += larger - capacity;
        }
        stream.assembly().putBytes(at, buffer, position, copy);
    }

    private static boolean isMedia(final int type)
    {
        return MessageType.AUDIO == type || MessageType.VIDEO == type || MessageType.AGGREGATE == type;
    }

    private boolean complete(final ChunkStream stream, final SkimmingChunkReader.Listener listener)
    {
        stream.dropMessage();
        final int type = stream.typeId();
        final int length = stream.messageLength();
        final UnsafeBuffer b = stream.assembly();
        if (isMedia(type))
        {
            return listener.onMedia(stream.timestamp(), type, stream.messageStreamId(), b, Math.min(length, MEDIA_PREFIX), length);
        }
        if (length > MAX_WHOLE_MESSAGE)
        {
            if (MessageType.isData(type))
            {
                oversizeDataSkipped++;
                return true;
            }
            fail(MessageType.name(type) + " message of " + length + " bytes is over the " + MAX_WHOLE_MESSAGE + " a client keeps");
            return false;
        }
        if (MessageType.SET_CHUNK_SIZE == type)
        {
            final int size = length >= ProtocolControl.SET_CHUNK_SIZE_LENGTH ? ProtocolControl.chunkSize(b, 0) : 0;
            if (size < 1)
            {
                fail("Set Chunk Size " + Integer.toUnsignedString(size) + " outside 1..2147483647");
                return false;
            }
            chunkSize = size;
        }
        else if (MessageType.ABORT == type && length >= ProtocolControl.ABORT_LENGTH)
        {
            final ChunkStream aborted = streams.find(ProtocolControl.abortedCsid(b, 0));
            if (null != aborted)
            {
                aborted.dropMessage();
            }
        }
        return listener.onMessage(stream.timestamp(), type, stream.messageStreamId(), b, 0, length);
    }

    private void fail(final String reason)
    {
        failureReason = reason;
        current = null;
        chunkRemaining = 0;
    }
}
