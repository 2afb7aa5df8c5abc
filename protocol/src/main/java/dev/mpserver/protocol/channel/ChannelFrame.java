package dev.mpserver.protocol.channel;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over one master ⇄ worker channel frame. Fixed size, little-endian int32 fields; a
 * frame with {@code fd-flag} = 1 has exactly one fd attached (SCM_RIGHTS) on the same sendmsg.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                           command                             |  @0
 *  +---------------------------------------------------------------+
 *  |                           fd-flag                             |  @4
 *  +---------------------------------------------------------------+
 *  |                           shard-id                            |  @8
 *  +---------------------------------------------------------------+
 *  |                            load                               |  @12
 *  +---------------------------------------------------------------+
 *  |                             pid                               |  @16
 *  +---------------------------------------------------------------+
 *  |                             seq                               |  @20
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Growth: fields are only ever added at the end. A later command that carries protocol state (RTMP
 * hand-off) will add a length field and a payload after it; readers find a frame's length through
 * {@link #frameLength()} and nothing else, so that change stays inside this class.
 */
public final class ChannelFrame
{
    public static final int COMMAND_OFFSET = 0;
    public static final int FD_FLAG_OFFSET = COMMAND_OFFSET + Integer.BYTES;
    public static final int SHARD_ID_OFFSET = FD_FLAG_OFFSET + Integer.BYTES;
    public static final int LOAD_OFFSET = SHARD_ID_OFFSET + Integer.BYTES;
    public static final int PID_OFFSET = LOAD_OFFSET + Integer.BYTES;
    public static final int SEQ_OFFSET = PID_OFFSET + Integer.BYTES;
    public static final int HEADER_LENGTH = SEQ_OFFSET + Integer.BYTES;

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

    /** @return bytes this frame occupies; today every frame is {@link #HEADER_LENGTH}. */
    public int frameLength()
    {
        return HEADER_LENGTH;
    }

    public int command()
    {
        return buffer.getInt(offset + COMMAND_OFFSET, LITTLE_ENDIAN);
    }

    public boolean hasFd()
    {
        return buffer.getInt(offset + FD_FLAG_OFFSET, LITTLE_ENDIAN) != 0;
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

    /** Writes a whole frame at {@code offset}; returns its length. */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int command,
        final boolean hasFd,
        final int shardId,
        final int load,
        final int pid,
        final int seq)
    {
        buffer.putInt(offset + COMMAND_OFFSET, command, LITTLE_ENDIAN);
        buffer.putInt(offset + FD_FLAG_OFFSET, hasFd ? 1 : 0, LITTLE_ENDIAN);
        buffer.putInt(offset + SHARD_ID_OFFSET, shardId, LITTLE_ENDIAN);
        buffer.putInt(offset + LOAD_OFFSET, load, LITTLE_ENDIAN);
        buffer.putInt(offset + PID_OFFSET, pid, LITTLE_ENDIAN);
        buffer.putInt(offset + SEQ_OFFSET, seq, LITTLE_ENDIAN);
        return HEADER_LENGTH;
    }

    @Override
    public String toString()
    {
        return ChannelCommand.name(command()) + "{fd=" + hasFd() + ", shard=" + shardId() + ", load=" + load() +
            ", pid=" + pid() + ", seq=" + seq() + "}";
    }
}
