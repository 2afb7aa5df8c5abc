package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * An array of {@code struct epoll_event}, which on x86-64 is packed: 12 bytes, no padding.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |            events             |     data (u64, unaligned) ... |  @0
 *  +-------------------------------+-------------------------------+
 *  |      ... data                 |                                  @8
 *  +-------------------------------+
 * </pre>
 */
public final class EpollEvents
{
    public static final int EVENTS_OFFSET = 0;
    public static final int DATA_OFFSET = EVENTS_OFFSET + Integer.BYTES;
    public static final int SIZE = DATA_OFFSET + Long.BYTES;

    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    public static final int EPOLLEXCLUSIVE = 1 << 28;
    public static final int EPOLLET = 1 << 31;

    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = 0x80000;

    private final int capacity;
    private final UnsafeBuffer memory;

    public EpollEvents(final int capacity)
    {
        this.capacity = capacity;
        this.memory = NativeMemory.allocate(capacity * SIZE);
    }

    public int capacity()
    {
        return capacity;
    }

    public int events(final int index)
    {
        return memory.getInt(index * SIZE + EVENTS_OFFSET);
    }

    public long data(final int index)
    {
        return memory.getLong(index * SIZE + DATA_OFFSET);
    }

    public EpollEvents set(final int index, final int events, final long data)
    {
        memory.putInt(index * SIZE + EVENTS_OFFSET, events);
        memory.putLong(index * SIZE + DATA_OFFSET, data);
        return this;
    }

    public long address()
    {
        return memory.addressOffset();
    }

    public long address(final int index)
    {
        return memory.addressOffset() + (long)index * SIZE;
    }
}
