package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.ChunkHeader;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

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
 * header rules are the same as the decoder's (layouts and constants: {@link ChunkHeader}): fmt 0-3,
 * fmt 3 timestamps, the extended timestamp repeated or not on continuation chunks (detected as SRS
 * and the decoder do), Set Chunk Size and Abort applied before the listener sees them.
 *
 * <p>Limits: chunk stream ids up to 63 (every server uses 2..8), {@link #MAX_CHUNK_STREAMS} of them at
 * once; a command or control message over {@link #MAX_WHOLE_MESSAGE} bytes fails the reader; a data
 * message over it is skipped and counted. After a failure ({@link #failureReason()}) nothing more is
 * consumed until {@link #reset()}.
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

    private static final int NO_SLOT = -1;
    private static final int INCOMPLETE = 0;
    private static final int BROKEN = -1;
    private static final int REPEAT_UNKNOWN = 0;
    private static final int REPEAT_SEEN = 1;
    private static final int REPEAT_OMITTED = 2;
    private static final int INITIAL_WHOLE_CAPACITY = 512;

    /** csid (2..63) → slot, or NO_SLOT. */
    private final byte[] slotOf = new byte[ChunkHeader.MAX_ONE_BYTE_CSID + 1];
    private int slots;
    private final boolean[] inProgress = new boolean[MAX_CHUNK_STREAMS];
    private final int[] timestamp = new int[MAX_CHUNK_STREAMS];
    private final int[] timestampDelta = new int[MAX_CHUNK_STREAMS];
    private final int[] timestampField = new int[MAX_CHUNK_STREAMS];
    private final int[] extendedTimestamp = new int[MAX_CHUNK_STREAMS];
    private final int[] messageLength = new int[MAX_CHUNK_STREAMS];
    private final int[] typeId = new int[MAX_CHUNK_STREAMS];
    private final int[] messageStreamId = new int[MAX_CHUNK_STREAMS];
    private final int[] received = new int[MAX_CHUNK_STREAMS];
    private final UnsafeBuffer[] kept = new UnsafeBuffer[MAX_CHUNK_STREAMS];

    private int chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
    private int extendedRepeat = REPEAT_UNKNOWN;
    private int current = NO_SLOT;
    private int chunkRemaining;
    private long bytesReceived;
    private long oversizeDataSkipped;
    private String failureReason;

    public SkimmingChunkReader()
    {
        Arrays.fill(slotOf, (byte)NO_SLOT);
    }

    /** Forget the connection (chunk size back to 128); keeps the buffers it grew. */
    public void reset()
    {
        Arrays.fill(slotOf, (byte)NO_SLOT);
        slots = 0;
        Arrays.fill(inProgress, false);
        chunkSize = ChunkHeader.DEFAULT_CHUNK_SIZE;
        extendedRepeat = REPEAT_UNKNOWN;
        current = NO_SLOT;
        chunkRemaining = 0;
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
        int sum = 0;
        for (final UnsafeBuffer b : kept)
        {
            sum += null == b ? 0 : b.capacity();
        }
        return sum;
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
                final int slot = current;
                final int take = Math.min(chunkRemaining, limit - position);
                keep(slot, buffer, position, take);
                position += take;
                chunkRemaining -= take;
                received[slot] += take;
                if (0 == chunkRemaining && received[slot] == messageLength[slot])
                {
                    proceed = complete(slot, listener);
                }
                continue;
            }
            final int headerLength = readHeader(buffer, position, limit - position);
            if (headerLength <= INCOMPLETE)
            {
                break;
            }
            position += headerLength;
            if (0 == chunkRemaining && received[current] == messageLength[current])
            {
                proceed = complete(current, listener); // an empty message
            }
        }
        final int consumed = position - offset;
        bytesReceived += consumed;
        return consumed;
    }

    private void keep(final int slot, final DirectBuffer buffer, final int position, final int take)
    {
        final int type = typeId[slot];
        final int at = received[slot];
        final int wanted = isMedia(type) ? Math.min(MEDIA_PREFIX, messageLength[slot]) : messageLength[slot];
        if (at >= wanted || (!isMedia(type) && messageLength[slot] > MAX_WHOLE_MESSAGE))
        {
            return;
        }
        final int copy = Math.min(take, wanted - at);
        UnsafeBuffer b = kept[slot];
        if (b.capacity() < at + copy)
        {
            final byte[] larger = new byte[Math.min(wanted, Math.max(at + copy, Math.max(b.capacity() * 2, INITIAL_WHOLE_CAPACITY)))];
            b.getBytes(0, larger, 0, at);
            b.wrap(larger);
        }
        b.putBytes(at, buffer, position, copy);
    }

    private static boolean isMedia(final int type)
    {
        return MessageType.AUDIO == type || MessageType.VIDEO == type || MessageType.AGGREGATE == type;
    }

    private boolean complete(final int slot, final SkimmingChunkReader.Listener listener)
    {
        inProgress[slot] = false;
        final int type = typeId[slot];
        final int length = messageLength[slot];
        final UnsafeBuffer b = kept[slot];
        if (isMedia(type))
        {
            return listener.onMedia(timestamp[slot], type, messageStreamId[slot], b, Math.min(length, MEDIA_PREFIX), length);
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
            final int csid = ProtocolControl.abortedCsid(b, 0);
            if (csid >= 0 && csid < slotOf.length && slotOf[csid] != NO_SLOT)
            {
                inProgress[slotOf[csid]] = false;
            }
        }
        return listener.onMessage(timestamp[slot], type, messageStreamId[slot], b, 0, length);
    }

    private int readHeader(final DirectBuffer buffer, final int position, final int available)
    {
        final int first = buffer.getByte(position) & 0xFF;
        final int fmt = first >>> ChunkHeader.FMT_SHIFT;
        final int csid = first & ChunkHeader.CSID_MASK;
        if (ChunkHeader.CSID_FIELD_TWO_BYTES == csid || ChunkHeader.CSID_FIELD_THREE_BYTES == csid)
        {
            return fail("chunk stream ids above " + ChunkHeader.MAX_ONE_BYTE_CSID + " are not used by live servers "
                + "and not read by loadgen");
        }
        int slot = slotOf[csid];
        final boolean fresh = NO_SLOT == slot;
        if (fresh && (ChunkHeader.FMT_2 == fmt || ChunkHeader.FMT_3 == fmt))
        {
            return fail("chunk stream " + csid + " starts with a fmt " + fmt + " header, which refers to a previous one");
        }
        final boolean continuation = !fresh && inProgress[slot];
        if (continuation && ChunkHeader.FMT_0 == fmt)
        {
            return fail("fmt 0 header in the middle of a message on chunk stream " + csid);
        }
        final int messageHeader = position + 1;
        int headerLength = 1 + ChunkHeader.messageHeaderLength(fmt);
        if (available < headerLength)
        {
            return INCOMPLETE;
        }
        final int field = ChunkHeader.FMT_3 == fmt ?
            timestampField[slot] : ChunkHeader.getInt24(buffer, messageHeader + ChunkHeader.TIMESTAMP_OFFSET);
        boolean extended = ChunkHeader.EXTENDED_TIMESTAMP_MARKER == field;
        int extendedValue = 0;
        if (extended)
        {
            final boolean mayBeRepeated = ChunkHeader.FMT_3 == fmt && continuation;
            if (mayBeRepeated && REPEAT_OMITTED == extendedRepeat)
            {
                extended = false;
            }
            else
            {
                if (available < headerLength + ChunkHeader.EXTENDED_TIMESTAMP_LENGTH)
                {
                    return INCOMPLETE;
                }
                extendedValue = buffer.getInt(position + headerLength, ByteOrder.BIG_ENDIAN);
                if (mayBeRepeated)
                {
                    extended = extendedValue == extendedTimestamp[slot];
                    if (REPEAT_UNKNOWN == extendedRepeat)
                    {
                        extendedRepeat = extended ? REPEAT_SEEN : REPEAT_OMITTED;
                    }
                }
                if (extended)
                {
                    headerLength += ChunkHeader.EXTENDED_TIMESTAMP_LENGTH;
                }
            }
        }
        final int announced = ChunkHeader.FMT_0 == fmt || ChunkHeader.FMT_1 == fmt ?
            ChunkHeader.getInt24(buffer, messageHeader + ChunkHeader.MESSAGE_LENGTH_OFFSET) : 0;
        if (continuation)
        {
            if (ChunkHeader.FMT_1 == fmt && announced != messageLength[slot])
            {
                return fail("message length changed in the middle of a message on chunk stream " + csid);
            }
        }
        else
        {
            if (fresh)
            {
                if (slots == MAX_CHUNK_STREAMS)
                {
                    return fail("chunk stream " + csid + " would be one more than the " + MAX_CHUNK_STREAMS + " a client reads");
                }
                slot = slots++;
                slotOf[csid] = (byte)slot;
                if (null == kept[slot])
                {
                    kept[slot] = new UnsafeBuffer(new byte[MEDIA_PREFIX]);
                }
            }
            final int value = extended ? extendedValue : field;
            startMessage(slot, buffer, messageHeader, fmt, value, announced, fresh);
            if (ChunkHeader.FMT_3 != fmt)
            {
                timestampField[slot] = field;
            }
            extendedTimestamp[slot] = extendedValue;
        }
        current = slot;
        chunkRemaining = Math.min(chunkSize, messageLength[slot] - received[slot]);
        return headerLength;
    }

    private void startMessage(
        final int slot, final DirectBuffer buffer, final int messageHeader, final int fmt, final int value,
        final int length, final boolean fresh)
    {
        switch (fmt)
        {
            case ChunkHeader.FMT_0:
                timestamp[slot] = value;
                timestampDelta[slot] = value;
                messageStreamId[slot] = buffer.getInt(messageHeader + ChunkHeader.MESSAGE_STREAM_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
                break;
            case ChunkHeader.FMT_1:
                if (fresh)
                {
                    timestamp[slot] = 0;
                    messageStreamId[slot] = 0;
                }
                timestamp[slot] += value;
                timestampDelta[slot] = value;
                break;
            case ChunkHeader.FMT_2:
                timestamp[slot] += value;
                timestampDelta[slot] = value;
                break;
            default:
                if (ChunkHeader.EXTENDED_TIMESTAMP_MARKER == timestampField[slot])
                {
                    timestampDelta[slot] = value;
                }
                timestamp[slot] += timestampDelta[slot];
                break;
        }
        if (ChunkHeader.FMT_0 == fmt || ChunkHeader.FMT_1 == fmt)
        {
            messageLength[slot] = length;
            typeId[slot] = buffer.getByte(messageHeader + ChunkHeader.TYPE_ID_OFFSET) & 0xFF;
        }
        inProgress[slot] = true;
        received[slot] = 0;
    }

    private int fail(final String reason)
    {
        failureReason = reason;
        current = NO_SLOT;
        chunkRemaining = 0;
        return BROKEN;
    }
}
