package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_LENGTH;
import static dev.mpserver.protocol.rtmp.ChunkHeader.EXTENDED_TIMESTAMP_MARKER;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_0;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_1;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_2;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_3;
import static dev.mpserver.protocol.rtmp.ChunkHeader.FMT_0_LENGTH;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_LENGTH_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.MESSAGE_STREAM_ID_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TIMESTAMP_OFFSET;
import static dev.mpserver.protocol.rtmp.ChunkHeader.TYPE_ID_OFFSET;

/**
 * Writes messages as chunks at the outgoing chunk size (layouts: {@link ChunkHeader}): the first
 * chunk with a full header, every further chunk with a fmt 3 basic header, the extended timestamp
 * repeated on those continuation chunks whenever the first chunk has one (ffmpeg's reader requires
 * it). Allocation-free; one instance per connection direction.
 *
 * <h2>Two modes</h2>
 * <ul>
 *   <li>{@link #stateless(int)}: every message starts with a fmt 0 header. The output bytes depend
 *       only on (chunk size, csid, timestamp, type, message stream id, payload), never on earlier
 *       messages. So a relay chunks a media message <b>once</b> and copies the same bytes to every
 *       player that shares the chunk size, csid and message stream id (mpserver gives every player
 *       the same ones), instead of chunking per player. {@link #encodedLength} tells the exact size
 *       beforehand.</li>
 *   <li>{@link #compressing(int)}: per chunk stream (csid 2..63) it remembers the last header and
 *       writes fmt 1 (same stream), fmt 2 (same stream, type and length) or fmt 3 (and the same
 *       delta) instead, as ffmpeg does. It never writes a fmt 3 that starts a message right after a
 *       fmt 0: the spec (and ffmpeg, SRS) then take the fmt 0's timestamp as the delta, nginx-rtmp
 *       takes 0, so such a header is ambiguous in practice; a fmt 2 costs 3 bytes more.</li>
 * </ul>
 * Mixing: a connection may carry shared stateless bytes and its own compressed messages, but not
 * on the same csid: after bytes from elsewhere were sent on a csid the receiver's header state for
 * it is theirs, so call {@link #forget(int)} for that csid (or keep the two sets of csids apart).
 *
 * <h2>Buffers</h2>
 * {@link #encode} writes at {@code out[offset]} and returns the bytes written. An expandable buffer
 * grows as needed; a fixed one must have room for {@link #maxEncodedLength} bytes, or an
 * {@code IndexOutOfBoundsException} is thrown before anything is remembered.
 */
public final class ChunkEncoder
{
    /** Chunk streams below this id get header compression; larger ones always get fmt 0. */
    public static final int COMPRESSED_CSID_LIMIT = ChunkHeader.MAX_ONE_BYTE_CSID + 1;

    private final boolean compress;
    private int chunkSize;

    /** Per-csid state of the last message sent, for csid < {@link #COMPRESSED_CSID_LIMIT}. */
    private final boolean[] known;
    /** False after a fmt 0: no fmt 3 may start the next message (see class comment). */
    private final boolean[] deltaKnown;
    private final int[] lastTimestamp;
    private final int[] lastDelta;
    private final int[] lastLength;
    private final int[] lastTypeId;
    private final int[] lastStreamId;

    private ChunkEncoder(final int chunkSize, final boolean compress)
    {
        chunkSize(chunkSize);
        this.compress = compress;
        final int slots = compress ? COMPRESSED_CSID_LIMIT : 0;
        known = new boolean[slots];
        deltaKnown = new boolean[slots];
        lastTimestamp = new int[slots];
        lastDelta = new int[slots];
        lastLength = new int[slots];
        lastTypeId = new int[slots];
        lastStreamId = new int[slots];
    }

    /** @return an encoder whose output for a message never depends on earlier messages (fmt 0 + fmt 3). */
    public static ChunkEncoder stateless(final int chunkSize)
    {
        return new ChunkEncoder(chunkSize, false);
    }

    /** @return an encoder that uses fmt 1/2/3 headers where the previous message on the csid allows. */
    public static ChunkEncoder compressing(final int chunkSize)
    {
        return new ChunkEncoder(chunkSize, true);
    }

    public int chunkSize()
    {
        return chunkSize;
    }

    /**
     * Set the outgoing chunk size for the messages encoded from now on. Send the peer a Set Chunk Size
     * first ({@link ControlMessageWriter#setChunkSize} does both in the right order).
     */
    public void chunkSize(final int chunkSize)
    {
        if (chunkSize < 1 || chunkSize > ChunkHeader.MAX_CHUNK_SIZE)
        {
            throw new IllegalArgumentException("chunk size " + chunkSize + " outside 1.." + ChunkHeader.MAX_CHUNK_SIZE);
        }
        this.chunkSize = chunkSize;
    }

    /** @return true for an encoder made by {@link #compressing(int)}. */
    public boolean isCompressing()
    {
        return compress;
    }

    /** The next message on this csid gets a fmt 0 header (the peer's state for it changed elsewhere). */
    public void forget(final int csid)
    {
        if (compress && csid < COMPRESSED_CSID_LIMIT)
        {
            known[csid] = false;
        }
    }

    /** Every next message gets a fmt 0 header (a new connection). */
    public void forgetAll()
    {
        Arrays.fill(known, false);
    }

    /**
     * Write one message as chunks.
     *
     * @param out             where the chunks go.
     * @param offset          where the first chunk starts.
     * @param csid            chunk stream id, 2..65599.
     * @param timestamp       absolute timestamp, 32 bits, wrapping.
     * @param typeId          message type ({@link MessageType}), 0..255.
     * @param messageStreamId message stream id (0 for NetConnection messages).
     * @param payload         the message body.
     * @param payloadOffset   where it starts.
     * @param length          its length, 0..{@link ChunkHeader#MAX_MESSAGE_LENGTH}.
     * @return bytes written.
     */
    public int encode(
        final MutableDirectBuffer out,
        final int offset,
        final int csid,
        final int timestamp,
        final int typeId,
        final int messageStreamId,
        final DirectBuffer payload,
        final int payloadOffset,
        final int length)
    {
        checkMessage(csid, typeId, length);
        if (!compress || csid >= COMPRESSED_CSID_LIMIT)
        {
            return write(out, offset, FMT_0, csid, timestamp, typeId, messageStreamId, payload, payloadOffset, length);
        }

        int fmt = FMT_0;
        int value = timestamp;
        if (known[csid] && messageStreamId == lastStreamId[csid])
        {
            final int delta = timestamp - lastTimestamp[csid];
            // A timestamp that went back cannot be a delta: send it whole.
            if (delta >= 0)
            {
                value = delta;
                if (typeId != lastTypeId[csid] || length != lastLength[csid])
                {
                    fmt = FMT_1;
                }
                else if (!deltaKnown[csid] || delta != lastDelta[csid])
                {
                    fmt = FMT_2;
                }
                else
                {
                    fmt = FMT_3;
                }
            }
        }

        final int written = write(out, offset, fmt, csid, value, typeId, messageStreamId, payload, payloadOffset, length);

        known[csid] = true;
        deltaKnown[csid] = FMT_0 != fmt;
        lastTimestamp[csid] = timestamp;
        lastDelta[csid] = value;
        lastLength[csid] = length;
        lastTypeId[csid] = typeId;
        lastStreamId[csid] = messageStreamId;
        return written;
    }

    /**
     * @return the exact number of bytes {@link #stateless(int)} writes for a message: what a relay
     * reserves before chunking a message once for all its players.
     */
    public static int encodedLength(final int chunkSize, final int csid, final int timestamp, final int length)
    {
        final int basic = ChunkHeader.basicHeaderLength(csid);
        final int extended = isExtended(timestamp) ? EXTENDED_TIMESTAMP_LENGTH : 0;
        return basic + FMT_0_LENGTH + extended + length + (chunkCount(chunkSize, length) - 1) * (basic + extended);
    }

    /** @return an upper bound of what either mode writes for a message of this length on this csid. */
    public static int maxEncodedLength(final int chunkSize, final int csid, final int length)
    {
        return encodedLength(chunkSize, csid, EXTENDED_TIMESTAMP_MARKER, length);
    }

    /** @return chunks a message of this length takes (1 for an empty message). */
    public static int chunkCount(final int chunkSize, final int length)
    {
        return length == 0 ? 1 : 1 + (length - 1) / chunkSize;
    }

    /** @return true when a timestamp or delta does not fit the 3-byte field. */
    static boolean isExtended(final int timestampOrDelta)
    {
        return Integer.compareUnsigned(timestampOrDelta, EXTENDED_TIMESTAMP_MARKER) >= 0;
    }

    private int write(
        final MutableDirectBuffer out,
        final int offset,
        final int fmt,
        final int csid,
        final int timestampOrDelta,
        final int typeId,
        final int messageStreamId,
        final DirectBuffer payload,
        final int payloadOffset,
        final int length)
    {
        final boolean extended = isExtended(timestampOrDelta);
        int index = ChunkHeader.putBasicHeader(out, offset, fmt, csid);
        if (FMT_3 != fmt)
        {
            ChunkHeader.putInt24(out, index + TIMESTAMP_OFFSET, extended ? EXTENDED_TIMESTAMP_MARKER : timestampOrDelta);
            if (FMT_2 != fmt)
            {
                ChunkHeader.putInt24(out, index + MESSAGE_LENGTH_OFFSET, length);
                out.putByte(index + TYPE_ID_OFFSET, (byte)typeId);
                if (FMT_0 == fmt)
                {
                    out.putInt(index + MESSAGE_STREAM_ID_OFFSET, messageStreamId, ByteOrder.LITTLE_ENDIAN);
                }
            }
            index += ChunkHeader.messageHeaderLength(fmt);
        }
        if (extended)
        {
            out.putInt(index, timestampOrDelta, ByteOrder.BIG_ENDIAN);
            index += EXTENDED_TIMESTAMP_LENGTH;
        }

        int sent = Math.min(length, chunkSize);
        out.putBytes(index, payload, payloadOffset, sent);
        index += sent;
        while (sent < length)
        {
            index = ChunkHeader.putBasicHeader(out, index, FMT_3, csid);
            if (extended)
            {
                out.putInt(index, timestampOrDelta, ByteOrder.BIG_ENDIAN);
                index += EXTENDED_TIMESTAMP_LENGTH;
            }
            final int piece = Math.min(length - sent, chunkSize);
            out.putBytes(index, payload, payloadOffset + sent, piece);
            index += piece;
            sent += piece;
        }
        return index - offset;
    }

    private static void checkMessage(final int csid, final int typeId, final int length)
    {
        if (!ChunkHeader.isValidCsid(csid))
        {
            throw new IllegalArgumentException("chunk stream id " + csid + " outside 2..65599");
        }
        if (typeId < 0 || typeId > 0xFF)
        {
            throw new IllegalArgumentException("message type " + typeId + " outside 0..255");
        }
        if (length < 0 || length > ChunkHeader.MAX_MESSAGE_LENGTH)
        {
            throw new IllegalArgumentException("message length " + length + " outside 0..16777215");
        }
    }
}
