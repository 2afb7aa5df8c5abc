package dev.mpserver.worker.session;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLERR;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;

import dev.mpserver.protocol.counters.HopLatency;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.net.LingeringClose;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.client.ClientIo;
import dev.mpserver.worker.client.ClientTable;
import dev.mpserver.worker.link.MasterLink;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Every client's way through this worker: taken in (accepted, or handed over by the master), its
 * first bytes read at once to choose its protocol, its input fed to that protocol's session as it
 * arrives, and its end — closed, refused readably, timed out when idle, or told the worker stops.
 *
 * <p>A new client is read before it is put in the epoll set: its first frames usually came with
 * it, and one handed off straight away never costs an epoll_ctl. Reads stop at the protocol's
 * {@link SessionProtocol#readLimit} (nothing past {@code 'C' id} before routing) and at a short
 * read: TCP's recv empties the receive queue before it returns less than asked, and with
 * edge-triggered epoll any later byte brings a new edge, so the extra recv that would only say
 * EAGAIN is skipped, except when the peer's FIN came with the event (no later edge will come).
 */
public final class ClientSessions implements ClientIo.Listener, ShardRouter.Refusal
{
    /** First read under a master: as much as the shortest routing key ({@code 'C' id}). */
    private static final int DETECT_BYTES_UNDER_MASTER = WireProtocol.CONTROL_FRAME_LENGTH;

    private final ClientTable table;
    private final ClientIo io;
    private final Protocols protocols;
    private final ShardRouter router;
    private final MasterLink link;
    private final LingeringClose lingering;
    private final WorkerCounters counters;
    private final long idleTimeoutNanos;
    private final Runnable onSlotFreed;
    private final UnsafeBuffer errorFrame = NativeMemory.allocate(WireProtocol.MAX_ERROR_FRAME_LENGTH);
    private final HopLatency serveTimes;
    private long nowNanos;

    /**
     * @param link        the master, or null alone
     * @param onSlotFreed told when a slot frees (the acceptor may resume)
     */
    public ClientSessions(
        final ClientTable table, final ClientIo io, final Protocols protocols, final ShardRouter router, final MasterLink link,
        final LingeringClose lingering, final WorkerCounters counters, final long idleTimeoutNanos, final Runnable onSlotFreed,
        final HopLatency serveTimes)
    {
        this.serveTimes = serveTimes;
        this.table = table;
        this.io = io;
        this.protocols = protocols;
        this.router = router;
        this.link = link;
        this.lingering = lingering;
        this.counters = counters;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.onSlotFreed = onSlotFreed;
        io.listener(this);
        router.refusal(this);
    }

    // ---------------------------------------------------------------- taking clients in

    /** A connection this worker accepted. */
    public void admitAccepted(final int fd, final long now)
    {
        nowNanos = now;
        if (!router.hasMaster() && router.isFull())
        {
            refuseFd(fd, ErrorCode.SERVER_FULL); // alone there is no other worker to route it to
            return;
        }
        admit(table.add(fd, ClientTable.NEW, now));
    }

    /** A client the master hands over, with the session state its last worker exported. */
    public void admitHandedOver(
        final int shardId, final int fd, final DirectBuffer state, final int offset, final int length,
        final boolean draining, final long now)
    {
        nowNanos = now;
        final long start = System.nanoTime();
        final int slot = router.accept(shardId, fd, state, offset, length, draining, now);
        if (slot != ClientTable.NONE)
        {
            admit(slot);
            serveTimes.record(System.nanoTime() - start);
        }
    }

    private void admit(final int slot)
    {
        onReadable(slot, false);
        if (table.state(slot) != ClientTable.FREE && !io.register(slot))
        {
            io.close(slot);
        }
    }

    // ---------------------------------------------------------------- events

    /** An epoll event for a client. */
    public void onEvent(final int slot, final int ready, final long now)
    {
        nowNanos = now;
        if ((ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
        {
            onReadable(slot, (ready & (EPOLLRDHUP | EPOLLHUP)) != 0);
        }
        if ((ready & EPOLLOUT) != 0 && table.state(slot) != ClientTable.FREE && !io.flush(slot))
        {
            io.close(slot);
        }
    }

    /** @param peerClosed the client will send nothing more: whatever it sent is already here */
    private void onReadable(final int slot, final boolean peerClosed)
    {
        if (table.protocol(slot) == ClientTable.NO_PROTOCOL)
        {
            final int limit = router.hasMaster() ? DETECT_BYTES_UNDER_MASTER : Integer.MAX_VALUE;
            final int room = io.room(slot, limit);
            final long read = io.receive(slot, limit);
            if (read <= 0)
            {
                if (read != -Errno.EAGAIN)
                {
                    io.close(slot);
                }
                return;
            }
            if (!detect(slot, peerClosed))
            {
                return; // handed off or refused on its first bytes
            }
            if (read < room && !peerClosed)
            {
                flushOrClose(slot); // drained already: no recv just to hear EAGAIN
                return;
            }
        }
        serve(slot, peerClosed);
    }

    /**
     * The first bytes are in: they choose the protocol, whose session gets them at once.
     *
     * @return false if the session ended the client
     */
    private boolean detect(final int slot, final boolean peerClosed)
    {
        table.touch(slot, nowNanos);
        final byte index = protocols.indexFor(table.input(slot).getByte(0));
        table.protocol(slot, index);
        table.state(slot, ClientTable.OPEN);
        final SessionProtocol protocol = protocols.get(index);
        protocol.open(slot);
        return feed(slot, protocol, peerClosed);
    }

    /** Reads and feeds until drained; then writes what the input produced. */
    private void serve(final int slot, final boolean peerClosed)
    {
        final SessionProtocol protocol = protocols.of(table, slot);
        while (true)
        {
            final int limit = protocol.readLimit(slot);
            final int room = io.room(slot, limit);
            final long read = io.receive(slot, limit);
            if (read <= 0)
            {
                if (read == -Errno.EAGAIN)
                {
                    break;
                }
                if (read == -Errno.ENOBUFS)
                {
                    refuse(slot, ErrorCode.BAD_FRAME); // a frame over the input bound
                    return;
                }
                if (read != 0)
                {
                    counters.increment(WorkerCounter.RESETS);
                }
                else
                {
                    io.flush(slot); // a half-close ends the requests, not the replies
                }
                io.close(slot);
                return;
            }
            table.touch(slot, nowNanos);
            if (!feed(slot, protocol, peerClosed))
            {
                return;
            }
            if (read < room && !peerClosed)
            {
                break;
            }
        }
        flushOrClose(slot);
    }

    private void flushOrClose(final int slot)
    {
        if (!io.flush(slot))
        {
            io.close(slot);
        }
    }

    /** @return false if the session ended the client */
    private boolean feed(final int slot, final SessionProtocol protocol, final boolean peerClosed)
    {
        final int consumed = protocol.onInput(slot, table.input(slot), 0, table.inputLimit(slot), peerClosed);
        if (consumed == SessionProtocol.ENDED)
        {
            return false;
        }
        io.consume(slot, consumed);
        return true;
    }

    // ---------------------------------------------------------------- ending clients

    /** The protocol's refusal ({@code 'E'} + code for the {@code 'C'} protocol), then a lingering close. */
    @Override
    public void refuse(final int slot, final ErrorCode code)
    {
        countRefusal(code);
        protocols.of(table, slot).writeRefusal(slot, code);
        io.linger(slot);
    }

    /** {@code 'E'} to a client that never got a slot, then a lingering close. */
    @Override
    public void refuseFd(final int fd, final ErrorCode code)
    {
        countRefusal(code);
        final int length = WireEncoder.putError(errorFrame, 0, code);
        Posix.LIBC.send(fd, errorFrame.addressOffset(), length, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
        lingering.start(fd, nowNanos);
    }

    /** Clients silent for the idle timeout get {@code 'E'} 4. */
    public void expireIdle(final long now)
    {
        nowNanos = now;
        int slot;
        while ((slot = table.leastRecentlyActive()) != ClientTable.NONE && now - table.lastActivityNanos(slot) >= idleTimeoutNanos)
        {
            refuse(slot, ErrorCode.IDLE_TIMEOUT);
        }
    }

    /** When the least recently active client times out, or {@link Long#MAX_VALUE}. */
    public long nextIdleDeadlineNanos()
    {
        final int oldest = table.leastRecentlyActive();
        return oldest == ClientTable.NONE ? Long.MAX_VALUE : table.lastActivityNanos(oldest) + idleTimeoutNanos;
    }

    /** The worker stops: every client gets {@code 'E'} 5 (a lingering close) or, if {@code tell} is false, a plain close. */
    public void endAll(final boolean tell, final long now)
    {
        nowNanos = now;
        for (int slot = 0; slot < table.capacity(); slot++)
        {
            if (table.state(slot) != ClientTable.FREE)
            {
                if (tell)
                {
                    refuse(slot, ErrorCode.SHUTTING_DOWN);
                }
                else
                {
                    io.close(slot);
                }
            }
        }
    }

    private void countRefusal(final ErrorCode code)
    {
        switch (code)
        {
            case BAD_FRAME:
                counters.increment(WorkerCounter.ERRORS_BAD_FRAME);
                break;
            case SERVER_FULL:
                counters.increment(WorkerCounter.ERRORS_SERVER_FULL);
                break;
            case SHARD_BUSY:
                counters.increment(WorkerCounter.ERRORS_SHARD_BUSY);
                break;
            case IDLE_TIMEOUT:
                counters.increment(WorkerCounter.IDLE_TIMEOUTS);
                break;
            case SHUTTING_DOWN:
                counters.increment(WorkerCounter.ERRORS_SHUTTING_DOWN);
                break;
            default:
                break;
        }
    }

    // ---------------------------------------------------------------- ClientIo.Listener

    @Override
    public void onLeaving(final int slot)
    {
        if (table.protocol(slot) != ClientTable.NO_PROTOCOL)
        {
            protocols.get(table.protocol(slot)).close(slot);
        }
    }

    @Override
    public void onShardEmpty(final int shardId)
    {
        if (null != link)
        {
            link.shardEmpty(shardId);
        }
    }

    @Override
    public void onSlotFreed()
    {
        onSlotFreed.run();
    }
}
