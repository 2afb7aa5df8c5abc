package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.NativeMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The frames a {@link ChannelSender} has yet to send, oldest first: their bytes in one ring of native
 * memory, so that consecutive frames can go out in one sendmsg, and per frame its place, length
 * and the fd it still has to pass. Frames vary in length (a hand-off may carry a payload); a frame
 * never wraps: one that does not fit before the end of the ring starts again at 0, and the gap it
 * leaves is never sent (the frame after the gap is not contiguous with the one before it).
 *
 * <pre>
 *   bytes:  | frame k+1 | frame k+2 |  free  | frame k-1 | frame k |gap|
 *           0           ^tail                ^offset(head)             capacity
 *   frames: ring of {offset, length, fd} with {@code size} entries from {@code head}
 * </pre>
 *
 * Allocation-free after construction.
 */
final class OutboundQueue
{
    static final int NONE = -1;

    private final int frameCapacity;
    private final int byteCapacity;
    private final UnsafeBuffer bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final int[] fds;
    private int head;
    private int size;

    /**
     * @param frameCapacity frames queued at most
     * @param byteCapacity  bytes queued at most; at least two {@link ChannelFrame#MAX_FRAME_LENGTH}
     */
    OutboundQueue(final int frameCapacity, final int byteCapacity)
    {
        this.frameCapacity = frameCapacity;
        this.byteCapacity = Math.max(byteCapacity, 2 * ChannelFrame.MAX_FRAME_LENGTH);
        this.bytes = NativeMemory.allocate(this.byteCapacity);
        this.offsets = new int[frameCapacity];
        this.lengths = new int[frameCapacity];
        this.fds = new int[frameCapacity];
    }

    UnsafeBuffer bytes()
    {
        return bytes;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * Makes room for a frame of {@code length} bytes at the tail, with {@code fd} to pass.
     *
     * @return the byte offset to write the frame at, or {@link #NONE} when the queue is full
     */
    int append(final int length, final int fd)
    {
        if (size == frameCapacity)
        {
            return NONE;
        }
        final int at = placeFor(length);
        if (at == NONE)
        {
            return NONE;
        }
        final int slot = slot(size);
        offsets[slot] = at;
        lengths[slot] = length;
        fds[slot] = fd;
        size++;
        return at;
    }

    /** Takes back the frame appended last (never sent). */
    void removeLast()
    {
        size--;
        fds[slot(size)] = ChannelFrame.NO_FD;
    }

    /** Removes the oldest frame, whose bytes and fd are gone. */
    void removeFirst()
    {
        fds[head] = ChannelFrame.NO_FD;
        head = head + 1 == frameCapacity ? 0 : head + 1;
        size--;
    }

    /** Ring slot of the {@code index}-th oldest frame. */
    int slot(final int index)
    {
        final int slot = head + index;
        return slot >= frameCapacity ? slot - frameCapacity : slot;
    }

    int offset(final int slot)
    {
        return offsets[slot];
    }

    int length(final int slot)
    {
        return lengths[slot];
    }

    int fd(final int slot)
    {
        return fds[slot];
    }

    /** The frame's fd is the kernel's (or the caller's) now. */
    void clearFd(final int slot)
    {
        fds[slot] = ChannelFrame.NO_FD;
    }

    /** Forgets every frame without touching their fds (the caller took or closed them). */
    void clear()
    {
        for (int i = 0; i < size; i++)
        {
            fds[slot(i)] = ChannelFrame.NO_FD;
        }
        head = 0;
        size = 0;
    }

    private int placeFor(final int length)
    {
        if (0 == size)
        {
            return length <= byteCapacity ? 0 : NONE;
        }
        final int first = offsets[head];
        final int last = slot(size - 1);
        final int tail = offsets[last] + lengths[last];
        if (tail > first)
        {
            if (tail + length <= byteCapacity)
            {
                return tail;
            }
            return length <= first ? 0 : NONE; // wrap, leaving a gap at the end
        }
        return tail + length <= first ? tail : NONE;
    }
}
