package dev.mpserver.protocol.channel;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one master ⇄ worker channel frame: a fixed header of little-endian int32 fields,
 * then {@code payload-length} bytes of payload (a hand-off's session state, which the master
 * forwards unopened; none for every other command). A frame that carries an fd says where that fd
 * is: one sendmsg may carry several frames and their fds in one SCM_RIGHTS array, and the
 * {@code fd-slot} field names this frame's place in that array.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           command                             |  @0
 *  +---------------------------------------------------------------+
 *  |     fd-index (0..count-1)     |       fd-count (1..64)        |  @4  fd-slot; 0 = no fd
 *  +---------------------------------------------------------------+
 *  |                           shard-id                            |  @8
 *  +---------------------------------------------------------------+
 *  |                            load                               |  @12
 *  +---------------------------------------------------------------+
 *  |                             pid                               |  @16
 *  +---------------------------------------------------------------+
 *  |                             seq                               |  @20  this frame's number from its sender
 *  +---------------------------------------------------------------+
 *  |                             ack                               |  @24  seq of the last frame the sender had
 *  +---------------------------------------------------------------+       received from its peer when it wrote this
 *  |                        payload-length                         |  @28  0..MAX_PAYLOAD_LENGTH
 *  +---------------------------------------------------------------+
 *  |                                                               |  @32  sender's System.nanoTime() when it
 *  +                        time (int64)                           +       posted the frame (CLOCK_MONOTONIC:
 *  |                                                               |       comparable between processes)
 *  +---------------------------------------------------------------+
 *  |                     payload (opaque) ...                      |  @40
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The fd-slot is little-endian like every field: count in the low 16 bits, index in the high 16,
 * so a frame sent alone with its fd reads 1 (index 0 of 1), the value a one-fd-per-sendmsg sender
 * writes.
 *
 * <p>{@code time} lets the receiver measure how long the frame took from the sender's post to
 * its own read: the hops of a routed client ({@code mpserver stat}'s hand-off latencies).
 *
 * <p>{@code ack} lets the master tell what a worker's report already reflects: a LOAD counts the
 * hand-offs up to its ack, so the master adds those it forwarded after; a SHARD_GONE with an ack
 * older than the shard's last forward is stale; a RETURN's ack is the seq of the returned HANDOFF.
 * The {@code load} field means, per command: clients served (READY, LOAD), clients of the shard
 * still on the returning worker (RETURN: 0 = the shard is otherwise empty there, the master may
 * move it), the gen of the shard's entry in the shard table when the shard emptied (SHARD_GONE: a
 * take since then makes the report stale); unused otherwise. LOAD's {@code shard-id} carries the count of shards served.
 *
 * Growth: header fields are only ever added at the end; readers find a frame's length through
 * {@link #frameLength()} and nothing else.
 */
public final class ChannelFrame
{
    public static final int COMMAND_OFFSET = 0;
    public static final int FD_SLOT_OFFSET = COMMAND_OFFSET + Integer.BYTES;
    public static final int SHARD_ID_OFFSET = FD_SLOT_OFFSET + Integer.BYTES;
    public static final int LOAD_OFFSET = SHARD_ID_OFFSET + Integer.BYTES;
    public static final int PID_OFFSET = LOAD_OFFSET + Integer.BYTES;
    public static final int SEQ_OFFSET = PID_OFFSET + Integer.BYTES;
    public static final int ACK_OFFSET = SEQ_OFFSET + Integer.BYTES;
    public static final int PAYLOAD_LENGTH_OFFSET = ACK_OFFSET + Integer.BYTES;
    public static final int TIME_OFFSET = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = TIME_OFFSET + Long.BYTES;
    /** Most payload one frame may carry: a hand-off's session state is bounded by its sender. */
    public static final int MAX_PAYLOAD_LENGTH = 32 * 1024;
    public static final int MAX_FRAME_LENGTH = HEADER_LENGTH + MAX_PAYLOAD_LENGTH;

    private static final int FD_INDEX_SHIFT = 16;
    private static final int FD_COUNT_MASK = 0xFFFF;

    /** fd value handed to a handler when the frame carries no fd. */
    public static final int NO_FD = -1;
    /** fd value handed to a handler when the frame says it carries an fd but none arrived (MSG_CTRUNC, EMFILE). */
    public static final int FD_LOST = -2;

    private DirectBuffer buffer;
    private int offset;

    public ChannelFrame wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /** @return bytes this frame occupies: its header and its payload. */
    public int frameLength()
    {
        return HEADER_LENGTH + payloadLength();
    }

    /** Bytes of payload after the header; a reader checks it against {@link #MAX_PAYLOAD_LENGTH}. */
    public int payloadLength()
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /** The buffer the frame is in; its payload starts at {@link #payloadOffset()}. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    public int command()
    {
        return buffer.getInt(offset + COMMAND_OFFSET, LITTLE_ENDIAN);
    }

    public boolean hasFd()
    {
        return buffer.getInt(offset + FD_SLOT_OFFSET, LITTLE_ENDIAN) != 0;
    }

    /** Place of this frame's fd in the SCM_RIGHTS array of the sendmsg that carried it. */
    public int fdIndex()
    {
        return buffer.getInt(offset + FD_SLOT_OFFSET, LITTLE_ENDIAN) >>> FD_INDEX_SHIFT;
    }

    /** Number of fds the sendmsg that carried this frame's fd had attached. */
    public int fdCount()
    {
        return buffer.getInt(offset + FD_SLOT_OFFSET, LITTLE_ENDIAN) & FD_COUNT_MASK;
    }

    /** Marks the frame at {@code offset} as carrying fd {@code index} of the {@code count} its sendmsg attaches. */
    public static void putFdSlot(final MutableDirectBuffer buffer, final int offset, final int index, final int count)
    {
        buffer.putInt(offset + FD_SLOT_OFFSET, index << FD_INDEX_SHIFT | count, LITTLE_ENDIAN);
    }

    public int shardId()
    {
        return buffer.getInt(offset + SHARD_ID_OFFSET, LITTLE_ENDIAN);
    }

    public int load()
    {
        return buffer.getInt(offset + LOAD_OFFSET, LITTLE_ENDIAN);
    }

    public int pid()
    {
        return buffer.getInt(offset + PID_OFFSET, LITTLE_ENDIAN);
    }

    public int seq()
    {
        return buffer.getInt(offset + SEQ_OFFSET, LITTLE_ENDIAN);
    }

    /** seq of the last frame the sender had received from its peer when it wrote this one. */
    public int ack()
    {
        return buffer.getInt(offset + ACK_OFFSET, LITTLE_ENDIAN);
    }

    /** Sender's {@code System.nanoTime()} when it posted this frame. */
    public long time()
    {
        return buffer.getLong(offset + TIME_OFFSET, LITTLE_ENDIAN);
    }

    /** RETURN: clients of the returned shard still on the returning worker ({@code load} field). */
    public int shardClients()
    {
        return load();
    }

    /** LOAD: shards the worker serves ({@code shard-id} field). */
    public int shardCount()
    {
        return shardId();
    }

    /** Writes a frame's header at {@code offset} (its payload, if any, goes right after); returns the header's length. */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int command,
        final boolean hasFd,
        final int shardId,
        final int load,
        final int pid,
        final int seq,
        final int ack,
        final int payloadLength,
        final long time)
    {
        buffer.putInt(offset + COMMAND_OFFSET, command, LITTLE_ENDIAN);
        buffer.putInt(offset + FD_SLOT_OFFSET, hasFd ? 1 : 0, LITTLE_ENDIAN);
        buffer.putInt(offset + SHARD_ID_OFFSET, shardId, LITTLE_ENDIAN);
        buffer.putInt(offset + LOAD_OFFSET, load, LITTLE_ENDIAN);
        buffer.putInt(offset + PID_OFFSET, pid, LITTLE_ENDIAN);
        buffer.putInt(offset + SEQ_OFFSET, seq, LITTLE_ENDIAN);
        buffer.putInt(offset + ACK_OFFSET, ack, LITTLE_ENDIAN);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
        buffer.putLong(offset + TIME_OFFSET, time, LITTLE_ENDIAN);
        return HEADER_LENGTH;
    }

    @Override
    public String toString()
    {
        return ChannelCommand.name(command()) + "{fd=" + (hasFd() ? fdIndex() + "/" + fdCount() : "none") + ", shard=" + shardId() + ", load=" + load() +
            ", pid=" + pid() + ", seq=" + seq() + ", ack=" + ack() + ", payload=" + payloadLength() + "}";
    }
}
