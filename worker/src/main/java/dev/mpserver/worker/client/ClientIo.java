package dev.mpserver.worker.client;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLET;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_DEL;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_MOD;

import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.net.LingeringClose;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Moves one client's bytes and ends it; knows nothing of what the bytes mean. Reads append to the
 * client's input buffer (bounded), writes drain its output buffer until EAGAIN (the EPOLLOUT edge
 * resumes), and every client leaves this worker one of three ways, each freeing its slot:
 * {@link #close} (the fd is closed), {@link #linger} (its last frame is written: the fd goes to
 * {@link LingeringClose}, which closes it once the client is done reading) or {@link #detach}
 * (handed off: the channel owns the fd now).
 *
 * <p>An epoll token names a client by slot and generation, so that an event queued for a client
 * that left earlier in the same batch is recognised as stale:
 * <pre>
 *   63    62 ............. 32 31 .............. 0
 *   | 0 |  generation (31 bits) |      slot       |     (always >= 0; the loop's own tokens are negative)
 * </pre>
 */
public final class ClientIo
{
    /** What the worker does as a client leaves (protocol state, shard reports, accepting again). */
    public interface Listener
    {
        /** The client is leaving; its slot still holds everything. */
        void onLeaving(int slot);

        /** The last client of {@code shardId} here just left. */
        void onShardEmpty(int shardId);

        /** A slot became free. */
        void onSlotFreed();
    }

    /** Most input one client may have unconsumed: the largest frame and a read's worth more. */
    /**
     * A drained output buffer larger than this gives its memory back ({@link ClientTable#shrinkOutput}):
     * above a keyframe of a high-bit-rate stream, so a player that keeps up does not churn it.
     */
    static final int SHRINK_OUTPUT_ABOVE = 64 * 1024;
    public static final int MAX_INPUT = WireProtocol.MAX_FRAME_LENGTH + 4096;
    private static final int GENERATION_MASK = 0x7FFF_FFFF;
    private static final int CLIENT_EVENTS = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

    private final LibC libc = Posix.LIBC;
    private final ClientTable table;
    private final LingeringClose lingering;
    private final WorkerCounters counters;
    private final int epollFd;
    private final int outputCap;
    private final EpollEvents registration = new EpollEvents(1);
    private Listener listener;

    public ClientIo(
        final ClientTable table, final LingeringClose lingering, final WorkerCounters counters, final int epollFd, final int outputCap)
    {
        this.table = table;
        this.lingering = lingering;
        this.counters = counters;
        this.epollFd = epollFd;
        this.outputCap = outputCap;
    }

    public void listener(final Listener listener)
    {
        this.listener = listener;
    }

    // ---------------------------------------------------------------- epoll

    /** @return the client's slot if {@code token} is a live client's, else {@link ClientTable#NONE} */
    public int slotOf(final long token)
    {
        final int slot = (int)token;
        if (slot < 0 || slot >= table.capacity() || table.state(slot) == ClientTable.FREE ||
            (table.generation(slot) & GENERATION_MASK) != (int)(token >>> 32))
        {
            return ClientTable.NONE;
        }
        return slot;
    }

    /**
     * Puts the client in the epoll set, edge-triggered. A registration of the same socket under the
     * same fd number that outlived an earlier fd (EEXIST) is re-pointed at this client instead.
     *
     * @return false if epoll refused it
     */
    public boolean register(final int slot)
    {
        final long token = ((long)(table.generation(slot) & GENERATION_MASK) << 32) | slot;
        registration.set(0, CLIENT_EVENTS, token);
        boolean added = 0 == libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, table.fd(slot), registration.address());
        if (!added && Posix.errno() == Errno.EEXIST)
        {
            counters.increment(WorkerCounter.STALE_REGISTRATIONS);
            added = 0 == libc.epoll_ctl(epollFd, EPOLL_CTL_MOD, table.fd(slot), registration.address());
        }
        table.registered(slot, added);
        return added;
    }

    /** Takes the client out of the epoll set, if it is in; its fd stays open. */
    public void unregister(final int slot)
    {
        if (table.isRegistered(slot))
        {
            // Before the fd goes: a copy of it in another process would keep the registration alive.
            if (0 != libc.epoll_ctl(epollFd, EPOLL_CTL_DEL, table.fd(slot), 0L))
            {
                WorkerLog.LOG.warn("epoll_ctl(DEL) of client fd {} failed: {}", table.fd(slot), Posix.strerror(Posix.errno()));
            }
            table.registered(slot, false);
        }
    }

    // ---------------------------------------------------------------- input

    /**
     * Reads at most {@code maxBytes} behind the client's unconsumed input, growing the buffer up to
     * {@link #MAX_INPUT}.
     *
     * @return bytes read, 0 at EOF, -EAGAIN when there is nothing, {@code -ENOBUFS} when the input
     *     is full (a frame over the limit), or another -errno
     */
    public long receive(final int slot, final int maxBytes)
    {
        final ExpandableDirectByteBuffer input = table.input(slot);
        final int limit = table.inputLimit(slot);
        if (limit == input.capacity())
        {
            if (limit >= MAX_INPUT)
            {
                return -Errno.ENOBUFS;
            }
            input.checkLimit(Math.min(MAX_INPUT, limit * 2));
        }
        final int room = Math.min(maxBytes, input.capacity() - limit);
        while (true)
        {
            final long read = libc.recv(table.fd(slot), input.addressOffset() + limit, room, 0);
            if (read > 0)
            {
                table.inputLimit(slot, limit + (int)read);
                return read;
            }
            if (read == 0)
            {
                return 0;
            }
            final int errno = Posix.errno();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }

    /** Room a read of up to {@code maxBytes} would be offered now (to tell a short read from a full one). */
    public int room(final int slot, final int maxBytes)
    {
        return Math.min(maxBytes, table.input(slot).capacity() - table.inputLimit(slot));
    }

    /** Drops the first {@code consumed} bytes of the client's input, keeping the rest at the start. */
    public void consume(final int slot, final int consumed)
    {
        if (consumed <= 0)
        {
            return;
        }
        final ExpandableDirectByteBuffer input = table.input(slot);
        final int remaining = table.inputLimit(slot) - consumed;
        if (remaining > 0)
        {
            input.putBytes(0, input, consumed, remaining);
        }
        table.inputLimit(slot, remaining);
    }

    // ---------------------------------------------------------------- output

    /** Makes room for {@code length} bytes at the end of the client's output; returns where to write them. */
    public int reserve(final int slot, final int length)
    {
        final ExpandableDirectByteBuffer output = table.output(slot);
        int start = table.outputStart(slot);
        int limit = table.outputLimit(slot);
        if (start == limit)
        {
            start = 0;
            limit = 0;
        }
        else if (limit + length > output.capacity() && start > 0)
        {
            output.putBytes(0, output, start, limit - start);
            limit -= start;
            start = 0;
        }
        output.checkLimit(limit + length);
        table.output(slot, start, limit + length);
        return limit;
    }

    public MutableDirectBuffer output(final int slot)
    {
        return table.output(slot);
    }

    public int pendingOutput(final int slot)
    {
        return table.pendingOutput(slot);
    }

    /**
     * Drops the first {@code length} bytes of the client's unsent output, which it already has: a
     * handed-over session replays what its last worker answered ({@code RtmpProtocol}).
     */
    public void discardOutput(final int slot, final int length)
    {
        final int start = table.outputStart(slot) + Math.min(length, table.pendingOutput(slot));
        table.output(slot, start, table.outputLimit(slot));
    }

    /** Appends bytes to the client's unconsumed input, as if read from its socket (a hand-over's unparsed tail). */
    public void appendInput(final int slot, final DirectBuffer bytes, final int offset, final int length)
    {
        final ExpandableDirectByteBuffer input = table.input(slot);
        final int limit = table.inputLimit(slot);
        input.putBytes(limit, bytes, offset, length);
        table.inputLimit(slot, limit + length);
    }

    /** True once the client's unsent output is past {@code --output-cap}: a reader too slow to keep. */
    public boolean isOverCap(final int slot)
    {
        return table.pendingOutput(slot) > outputCap;
    }

    /**
     * Writes {@code length} bytes of off-heap {@code bytes} straight to a client with nothing
     * pending, without copying them into its output buffer first: bytes shared by many clients
     * (a live stream's media) then cost no per-client buffer while the kernel takes them.
     *
     * @return how many bytes the kernel took (0 on EAGAIN, or on an error: the caller buffers the
     * rest, and the next {@link #flush} meets the error and reports the peer gone)
     */
    public int sendNow(final int slot, final DirectBuffer bytes, final int offset, final int length)
    {
        return send(table.fd(slot), bytes.addressOffset() + offset, length);
    }

    /** Writes pending output until done or EAGAIN. @return false if the peer is gone */
    public boolean flush(final int slot)
    {
        final int start = table.outputStart(slot);
        final int limit = table.outputLimit(slot);
        final int sent = send(table.fd(slot), table.output(slot).addressOffset() + start, limit - start);
        if (start + sent < limit)
        {
            table.output(slot, start + sent, limit);
            if (Posix.errno() == Errno.EAGAIN)
            {
                return true;
            }
            counters.increment(WorkerCounter.RESETS);
            return false;
        }
        table.output(slot, 0, 0);
        table.shrinkOutput(slot, SHRINK_OUTPUT_ABOVE);
        return true;
    }

    /**
     * Sends from {@code address} until all {@code length} bytes are sent or the kernel refuses
     * (retrying EINTR). @return bytes sent; when fewer than {@code length}, {@link Posix#errno()}
     * still holds why (EAGAIN, or the peer's error): no native call follows the failed send.
     */
    private int send(final int fd, final long address, final int length)
    {
        int sent = 0;
        while (sent < length)
        {
            final long n = libc.send(fd, address + sent, length - sent, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
            if (n < 0)
            {
                if (Posix.errno() == Errno.EINTR)
                {
                    continue;
                }
                break;
            }
            sent += (int)n;
        }
        return sent;
    }

    // ---------------------------------------------------------------- leaving

    /** Closes the client's socket now and frees its slot. */
    public void close(final int slot)
    {
        final int fd = table.fd(slot);
        unregister(slot);
        Posix.closeQuietly(fd);
        release(slot, true);
    }

    /** Sends what is pending, then leaves the socket to {@link LingeringClose}: the client reads its last frame. */
    public void linger(final int slot)
    {
        flush(slot);
        table.registered(slot, false); // LingeringClose takes the registration over (re-points it)
        lingering.start(table.fd(slot), System.nanoTime());
        release(slot, true);
    }

    /** Frees the slot of a client whose fd now belongs to someone else (the channel, for a hand-off). */
    public void detach(final int slot)
    {
        unregister(slot);
        release(slot, false);
    }

    private void release(final int slot, final boolean ended)
    {
        listener.onLeaving(slot);
        final int shardId = table.shard(slot);
        final int remaining = table.leaveShard(slot);
        table.remove(slot);
        if (ended)
        {
            counters.increment(WorkerCounter.CLIENTS_CLOSED);
        }
        if (0 == remaining)
        {
            listener.onShardEmpty(shardId);
        }
        listener.onSlotFreed();
    }
}
