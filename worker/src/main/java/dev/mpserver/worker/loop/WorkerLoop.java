package dev.mpserver.worker.loop;

import static dev.mpserver.protocol.posix.EpollEvents.EPOLLERR;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLET;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLEXCLUSIVE;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLIN;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLOUT;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLLRDHUP;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_ADD;
import static dev.mpserver.protocol.posix.EpollEvents.EPOLL_CTL_DEL;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.counters.CountersFile;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.wire.ClientFrameHandler;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.client.ClientTable;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The worker's event loop: one thread, one epoll set over the listener (EPOLLEXCLUSIVE, so a new
 * connection wakes one worker, not all), the master channel and every client, all non-blocking.
 * Clients and the channel are edge-triggered and read until drained. A new client (accepted or
 * handed over) is read at once: its first frames usually came with it, and a client handed off
 * straight from accept never enters this worker's epoll set.
 *
 * <p>Per client: {@code AWAIT_CONTROL} reads the 5 bytes of {@code 'C' id} and never more, so
 * whatever follows stays in the socket for the worker that will serve it; a shard with clients
 * here is served here, any other is handed to the master with the fd. {@code SERVING} parses
 * frames from a bounded input buffer and answers into a bounded output buffer; a client whose
 * unsent output passes the cap is cut off, so one slow reader never grows memory or stalls the
 * others.
 *
 * <p>Without a channel (single-process mode, {@code --workers 0}) every shard is served here.
 */
public final class WorkerLoop implements ClientFrameHandler, ChannelFrameHandler
{
    public static final int NO_CHANNEL = -1;
    public static final int EXIT_OK = 0;

    private static final long LISTENER_TOKEN = -1L;
    private static final long CHANNEL_TOKEN = -2L;
    private static final int GENERATION_MASK = 0x7FFF_FFFF;
    private static final int CLIENT_EVENTS = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    private static final int MAX_EVENTS = 1024;
    /**
     * Accepts per listener wake-up. The listener is level-triggered, so the rest of a burst wakes
     * us again; meanwhile clients already accepted get served instead of waiting behind thousands
     * of accepts (and EPOLLEXCLUSIVE lets another worker take a share).
     */
    private static final int ACCEPT_BATCH = 64;
    /**
     * Alone (single-process mode) there is no other worker to take a share, and a connection in
     * the backlog is already connected for its client, whose 'C' and first 'M' are waiting: take
     * the whole backlog at once, as the C reference does (route p99 in a 5 000-connection burst
     * 141 ms there against 764 ms with batches of 64).
     */
    private static final int ACCEPT_BATCH_ALONE = 4096;
    private static final int MAX_INPUT = WireProtocol.MAX_FRAME_LENGTH + 4096;
    private static final long LOAD_REPORT_INTERVAL_NANOS = 100_000_000L;
    /** How soon to retry a channel flush that could not finish (socket full, or too many fds in flight). */
    private static final long CHANNEL_RETRY_NANOS = 10_000_000L;
    private static final long ACCEPT_PAUSE_NANOS = 100_000_000L;
    private static final long PUBLISH_INTERVAL_NANOS = 50_000_000L;
    private static final long MAX_WAIT_MILLIS = 1000;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private final LibC libc = Posix.LIBC;
    private final WorkerConfig config;
    private final int listenFd;
    private final Channel channel;
    private final int pid;
    private final ClientTable table;
    private final WorkerCounters counters = new WorkerCounters();
    private final EpollEvents events = new EpollEvents(MAX_EVENTS);
    private final EpollEvents registration = new EpollEvents(1);
    private final UnsafeBuffer scratch = NativeMemory.allocate(WireProtocol.MAX_ERROR_FRAME_LENGTH);
    private final UnsafeBuffer one = NativeMemory.allocate(Integer.BYTES);

    private int epollFd = -1;
    private boolean running = true;
    private int exitCode = EXIT_OK;
    private boolean accepting;
    private long acceptPausedUntilNanos;
    private boolean draining;
    private long drainDeadlineNanos;
    private long nowNanos;

    private int currentSlot = ClientTable.NONE;
    private boolean closeCurrent;

    private CountersFile countersFile;
    private long lastPublishNanos;
    private int lastReportedLoad;
    private long lastLoadReportNanos;
    private int lastMasterSeq;

    /**
     * @param listenFd  the shared listening socket (non-blocking)
     * @param channelFd the master channel, or {@link #NO_CHANNEL} for single-process mode
     */
    public WorkerLoop(final WorkerConfig config, final int listenFd, final int channelFd)
    {
        this.config = config;
        this.listenFd = listenFd;
        this.channel = channelFd == NO_CHANNEL ? null : new Channel(channelFd);
        this.pid = libc.getpid();
        this.table = new ClientTable(config.maxClients);
        one.putInt(0, 1);
    }

    public WorkerCounters counters()
    {
        return counters;
    }

    /** Runs until QUIT has drained, QUIT_NOW, or the master channel closes; returns the exit code. */
    public int run()
    {
        epollFd = Posix.checked("epoll_create1", libc.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        try
        {
            if (null != config.runDir)
            {
                countersFile = CountersFile.forWorker(config.runDir, pid, config.slot);
            }
            Posix.setNonBlocking(listenFd);
            resumeAccepting();
            if (null != channel)
            {
                Posix.setNonBlocking(channel.fd());
                register(channel.fd(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, CHANNEL_TOKEN);
                sendToMaster(ChannelCommand.READY, 0, 0);
                channel.flush(); // now, not after the first epoll_wait
            }
            final String mode = null == channel ? "single-process" : "under master";
            WorkerLog.inBackground(() -> WorkerLog.LOG.info("worker {} slot {} serving (max clients {}, {})",
                pid, config.slot, config.maxClients, mode));
            while (running)
            {
                nowNanos = System.nanoTime();
                final int ready = libc.epoll_wait(epollFd, events.address(), MAX_EVENTS, waitMillis());
                if (ready < 0)
                {
                    if (Posix.errno() == Errno.EINTR)
                    {
                        continue;
                    }
                    throw new PosixException("epoll_wait", Posix.errno());
                }
                nowNanos = System.nanoTime();
                for (int i = 0; i < ready; i++)
                {
                    dispatch(events.data(i), events.events(i));
                }
                housekeeping();
                if (null != channel && channel.hasQueued())
                {
                    // This batch of events' hand-offs, SHARD_GONEs and LOAD, in as few sendmsg calls
                    // (and so as few wake-ups of the master) as fit.
                    channel.flush();
                }
            }
        }
        finally
        {
            shutdown();
        }
        WorkerLog.LOG.info("worker {} slot {} exits ({})", pid, config.slot, counters);
        return exitCode;
    }

    // ---------------------------------------------------------------- events

    private void dispatch(final long token, final int ready)
    {
        if (LISTENER_TOKEN == token)
        {
            acceptAll();
        }
        else if (CHANNEL_TOKEN == token)
        {
            onChannelReady(ready);
        }
        else
        {
            final int slot = (int)token;
            if (table.state(slot) == ClientTable.FREE || (table.generation(slot) & GENERATION_MASK) != (int)(token >>> 32))
            {
                return; // an event for a client that left earlier in this batch
            }
            if ((ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
            {
                onReadable(slot, (ready & (EPOLLRDHUP | EPOLLHUP)) != 0);
            }
            if ((ready & EPOLLOUT) != 0 && table.state(slot) != ClientTable.FREE && !flush(slot))
            {
                closeClient(slot);
            }
        }
    }

    private void acceptAll()
    {
        final int batch = null == channel ? ACCEPT_BATCH_ALONE : ACCEPT_BATCH;
        for (int accepted = 0; accepting && accepted < batch; accepted++)
        {
            if (table.isFull())
            {
                pauseAccepting();
                return;
            }
            final int fd = libc.accept4(listenFd, 0L, 0L, Posix.SOCK_NONBLOCK | Posix.SOCK_CLOEXEC);
            if (fd < 0)
            {
                final int errno = Posix.errno();
                if (errno == Errno.EAGAIN)
                {
                    return;
                }
                if (errno == Errno.EINTR || errno == Errno.ECONNABORTED)
                {
                    continue;
                }
                counters.increment(WorkerCounter.ACCEPT_ERRORS);
                if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOBUFS || errno == Errno.ENOMEM)
                {
                    // Out of fds: the pending connection stays in the backlog; stop listening for a
                    // moment instead of spinning on a listener that stays readable.
                    if (counters.get(WorkerCounter.ACCEPT_ERRORS) == 1 || counters.get(WorkerCounter.ACCEPT_ERRORS) % 1000 == 0)
                    {
                        WorkerLog.LOG.warn("accept4 failed ({} times): {}; pausing accepts for {} ms",
                            counters.get(WorkerCounter.ACCEPT_ERRORS), Posix.strerror(errno), ACCEPT_PAUSE_NANOS / NANOS_PER_MILLI);
                    }
                    acceptPausedUntilNanos = nowNanos + ACCEPT_PAUSE_NANOS;
                    pauseAccepting();
                }
                return;
            }
            counters.increment(WorkerCounter.ACCEPTS);
            // Replies are small and pipelined: without this, Nagle holds each one for the client's delayed ACK.
            Posix.setIntOption(fd, Posix.IPPROTO_TCP, Posix.TCP_NODELAY, one);
            // Alone there is nowhere to hand off: the parser takes 'C' as the first frame.
            admit(table.add(fd, null == channel ? ClientTable.SERVING : ClientTable.AWAIT_CONTROL, nowNanos));
        }
    }

    /**
     * Takes a new client in, accepted or handed over: reads what it already sent, which is usually
     * its first frames, instead of waiting for epoll to say so. Under a master its {@code 'C'} is
     * read before it is registered: a client handed off at once costs no epoll_ctl at all.
     */
    private void admit(final int slot)
    {
        if (table.state(slot) == ClientTable.AWAIT_CONTROL)
        {
            awaitControl(slot, false, false);
            if (table.state(slot) == ClientTable.FREE)
            {
                return; // handed off, or closed
            }
        }
        if (!registerClient(slot))
        {
            closeClient(slot);
            return;
        }
        if (table.state(slot) == ClientTable.SERVING)
        {
            serve(slot, false);
        }
    }

    /** @param peerClosed the client will send nothing more (FIN or gone): whatever it sent is already here */
    private void onReadable(final int slot, final boolean peerClosed)
    {
        if (table.state(slot) == ClientTable.AWAIT_CONTROL)
        {
            awaitControl(slot, peerClosed, true);
        }
        if (table.state(slot) == ClientTable.SERVING)
        {
            serve(slot, peerClosed);
        }
    }

    /**
     * Reads {@code 'C' id} into the client's input buffer, never past its 5 bytes (whatever follows
     * stays in the socket for the worker that serves the client), then serves here or hands off.
     * A first frame that is not {@code 'C'} makes an unrouted client, served here from those bytes.
     *
     * @param registered whether the client's fd is in this worker's epoll set
     */
    private void awaitControl(final int slot, final boolean peerClosed, final boolean registered)
    {
        final ExpandableDirectByteBuffer input = table.input(slot);
        final int have = table.inputLimit(slot);
        final long read = receive(table.fd(slot), input.addressOffset() + have, WireProtocol.CONTROL_FRAME_LENGTH - have, 0);
        if (read <= 0)
        {
            if (read != -Errno.EAGAIN)
            {
                closeClient(slot);
            }
            return;
        }
        table.touch(slot, nowNanos);
        final int limit = have + (int)read;
        table.inputLimit(slot, limit);
        if (input.getByte(WireProtocol.TYPE_OFFSET) != WireProtocol.CONTROL)
        {
            table.state(slot, ClientTable.SERVING); // unrouted: stays on the accepting worker
            parse(slot);
            return;
        }
        if (limit < WireProtocol.CONTROL_FRAME_LENGTH)
        {
            if (peerClosed)
            {
                // A 'C' cut short by the client's FIN can never complete, and the FIN was its last
                // edge: waiting would hold the fd until the idle timeout.
                closeClient(slot);
            }
            return; // the rest of 'C' brings a new edge; the idle timeout bounds the wait
        }
        final int shardId = input.getInt(WireProtocol.CONTROL_SHARD_ID_OFFSET, LITTLE_ENDIAN);
        table.inputLimit(slot, 0);
        if (null == channel || table.clientsOnShard(shardId) > 0)
        {
            serveHere(slot, shardId);
        }
        else
        {
            handOff(slot, shardId, registered);
        }
    }

    private void serveHere(final int slot, final int shardId)
    {
        table.joinShard(slot, shardId);
        table.parser(slot).resetAfterControl();
        table.state(slot, ClientTable.SERVING);
    }

    private void handOff(final int slot, final int shardId, final boolean registered)
    {
        final int fd = table.fd(slot);
        if (registered)
        {
            unregister(fd); // the socket lives on in other processes: its epoll registration would too
        }
        final int result = channel.post(ChannelCommand.HANDOFF, shardId, table.size() - 1, pid, fd);
        if (result == Channel.QUEUED)
        {
            counters.increment(WorkerCounter.HANDOFFS_OUT);
            table.remove(slot); // the channel owns the fd now
            maybeResumeAccepting();
        }
        else
        {
            rejectAndClose(slot, result == Channel.FULL ? ErrorCode.SHARD_BUSY : ErrorCode.SHUTTING_DOWN);
        }
    }

    /**
     * Reads until the socket is drained, parsing as it goes, then writes what the frames produced.
     * Drained means EAGAIN, or a read shorter than the room offered: TCP's recv empties the receive
     * queue before it returns less, and with edge-triggered epoll any byte that arrives later
     * brings a new event, so the extra recv that would only say EAGAIN (one per message in a
     * request/reply exchange) is skipped. Not when the peer's FIN came with this event: then the
     * read that returns 0 must happen now, as no later edge will.
     */
    private void serve(final int slot, final boolean peerClosed)
    {
        final int fd = table.fd(slot);
        final ExpandableDirectByteBuffer input = table.input(slot);
        while (true)
        {
            int limit = table.inputLimit(slot);
            if (limit == input.capacity())
            {
                if (limit >= MAX_INPUT)
                {
                    rejectAndClose(slot, ErrorCode.BAD_FRAME);
                    return;
                }
                input.checkLimit(Math.min(MAX_INPUT, limit * 2));
            }
            final int room = input.capacity() - limit;
            final long read = receive(fd, input.addressOffset() + limit, room, 0);
            if (read <= 0)
            {
                if (read == -Errno.EAGAIN)
                {
                    break;
                }
                if (read != 0)
                {
                    counters.increment(WorkerCounter.RESETS);
                }
                else
                {
                    flush(slot); // a half-close ends the requests, not the replies: send what they produced
                }
                closeClient(slot);
                return;
            }
            limit += (int)read;
            table.inputLimit(slot, limit);
            table.touch(slot, nowNanos);
            if (!parse(slot))
            {
                return;
            }
            if (read < room && !peerClosed)
            {
                break;
            }
        }
        if (!flush(slot))
        {
            closeClient(slot);
        }
    }

    /** @return false if the client was closed. */
    private boolean parse(final int slot)
    {
        final ExpandableDirectByteBuffer input = table.input(slot);
        final int limit = table.inputLimit(slot);
        currentSlot = slot;
        closeCurrent = false;
        final int consumed = table.parser(slot).parse(input, 0, limit, this);
        currentSlot = ClientTable.NONE;
        if (consumed > 0)
        {
            final int remaining = limit - consumed;
            if (remaining > 0)
            {
                input.putBytes(0, input, consumed, remaining);
            }
            table.inputLimit(slot, remaining);
        }
        if (table.parser(slot).hasFailed())
        {
            flush(slot);
            closeClient(slot);
            return false;
        }
        if (closeCurrent || table.pendingOutput(slot) > config.outputCapBytes)
        {
            counters.increment(WorkerCounter.SLOW_READERS_CUT);
            closeClient(slot);
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- client frames

    @Override
    public boolean onControl(final int shardId)
    {
        // A first 'C' in the stream: single-process mode reads it as a frame.
        serveHere(currentSlot, shardId);
        return true;
    }

    @Override
    public boolean onMessage(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        counters.increment(WorkerCounter.MESSAGES);
        final int slot = currentSlot;
        final int at = reserve(slot, WireProtocol.PING_REPLY_LENGTH);
        WireEncoder.putPingReply(table.output(slot), at);
        return withinCap(slot);
    }

    @Override
    public boolean onIdentify()
    {
        counters.increment(WorkerCounter.IDENTIFIES);
        final int slot = currentSlot;
        final int shardId = table.shard(slot);
        final int clients = shardId == WireProtocol.NO_SHARD ? 0 : table.clientsOnShard(shardId);
        final int at = reserve(slot, WireProtocol.IDENTIFY_REPLY_LENGTH);
        WireEncoder.putIdentifyReply(table.output(slot), at, pid, config.slot, shardId, clients);
        return withinCap(slot);
    }

    @Override
    public boolean onBroadcast(final DirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        counters.increment(WorkerCounter.BROADCASTS);
        final int sender = currentSlot;
        final int shardId = table.shard(sender);
        if (shardId == WireProtocol.NO_SHARD)
        {
            return true;
        }
        int member = table.firstOfShard(shardId);
        while (member != ClientTable.NONE)
        {
            final int next = table.nextOfShard(member);
            if (member != sender)
            {
                final int at = reserve(member, frameLength);
                table.output(member).putBytes(at, buffer, frameOffset, frameLength);
                counters.increment(WorkerCounter.BROADCAST_DELIVERIES);
                if (!flush(member))
                {
                    closeClient(member);
                }
                else if (table.pendingOutput(member) > config.outputCapBytes)
                {
                    counters.increment(WorkerCounter.SLOW_READERS_CUT);
                    closeClient(member);
                }
            }
            member = next;
        }
        return true;
    }

    @Override
    public void onError(final ErrorCode code, final String reason)
    {
                final int slot = currentSlot;
        final int at = reserve(slot, WireEncoder.errorFrameLength(reason));
        WireEncoder.putError(table.output(slot), at, code, reason);
        WorkerLog.LOG.debug("client fd {} protocol error: {}", table.fd(slot), reason);
    }

    /** Keeps parsing while the output fits; flushes once before giving up on a fast pipeliner. */
    private boolean withinCap(final int slot)
    {
        if (table.pendingOutput(slot) <= config.outputCapBytes)
        {
            return true;
        }
        if (!flush(slot) || table.pendingOutput(slot) > config.outputCapBytes)
        {
            closeCurrent = true;
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- output

    /** Makes room for {@code length} bytes at the end of the client's output; returns where to write them. */
    private int reserve(final int slot, final int length)
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

    /** Writes pending output until done or EAGAIN. @return false if the peer is gone. */
    private boolean flush(final int slot)
    {
        final int fd = table.fd(slot);
        final ExpandableDirectByteBuffer output = table.output(slot);
        int start = table.outputStart(slot);
        final int limit = table.outputLimit(slot);
        while (start < limit)
        {
            final long sent = libc.send(fd, output.addressOffset() + start, limit - start, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
            if (sent < 0)
            {
                final int errno = Posix.errno();
                if (errno == Errno.EINTR)
                {
                    continue;
                }
                table.output(slot, start, limit);
                if (errno == Errno.EAGAIN)
                {
                    return true; // EPOLLOUT edge resumes
                }
                counters.increment(WorkerCounter.RESETS);
                return false;
            }
            start += (int)sent;
        }
        table.output(slot, 0, 0);
        return true;
    }

    /** Best-effort {@code 'E'} then close: used where the client must learn why it is dropped. */
    private void rejectAndClose(final int slot, final ErrorCode code)
    {
        countError(code);
        final int at = reserve(slot, WireEncoder.errorFrameLength(code.text()));
        WireEncoder.putError(table.output(slot), at, code);
        flush(slot);
        closeClient(slot);
    }

    private void countError(final ErrorCode code)
    {
        switch (code)
        {
            case BAD_FRAME:
                counters.increment(WorkerCounter.ERRORS_BAD_FRAME);
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

    /** An 'E' to a bare fd we are about to close (a hand-off we can neither serve nor return). */
    private void rejectFd(final int fd, final ErrorCode code)
    {
        final int length = WireEncoder.putError(scratch, 0, code);
        libc.send(fd, scratch.addressOffset(), length, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT);
        Posix.closeQuietly(fd);
    }

    private void closeClient(final int slot)
    {
        final int fd = table.fd(slot);
        unregister(fd);
        Posix.closeQuietly(fd);
        final int shardId = table.shard(slot);
        final int remaining = table.leaveShard(slot);
        table.remove(slot);
        counters.increment(WorkerCounter.CLIENTS_CLOSED);
        if (0 == remaining && null != channel)
        {
            // load = seq of the last master frame seen, so the master can tell a stale SHARD_GONE
            // (one sent before a hand-off it forwarded here arrived) from a real one.
            sendToMaster(ChannelCommand.SHARD_GONE, shardId, lastMasterSeq);
        }
        maybeResumeAccepting();
    }

    // ---------------------------------------------------------------- master channel

    private void onChannelReady(final int ready)
    {
        if ((ready & EPOLLOUT) != 0)
        {
            channel.flush();
        }
        if ((ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0)
        {
            channel.receive(this);
        }
        if (channel.isClosed())
        {
            WorkerLog.LOG.info("worker {}: master channel closed ({}); exiting", pid,
                channel.lastErrno() == 0 ? "EOF" : Posix.strerror(channel.lastErrno()));
            running = false;
        }
    }

    @Override
    public void onFrame(final ChannelFrame frame, final int fd)
    {
        lastMasterSeq = frame.seq();
        switch (frame.command())
        {
            case ChannelCommand.HANDOFF:
                onHandoff(frame.shardId(), fd);
                break;
            case ChannelCommand.QUIT:
                startDrain();
                break;
            case ChannelCommand.QUIT_NOW:
                WorkerLog.LOG.info("worker {}: QUIT_NOW", pid);
                running = false;
                break;
            case ChannelCommand.REOPEN:
                ReopenedLog.takeOver(fd, pid);
                break;
            default:
                WorkerLog.LOG.warn("worker {}: unexpected channel frame {}", pid, frame);
                if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
        }
    }

    private void onHandoff(final int shardId, final int fd)
    {
        if (fd == ChannelFrame.FD_LOST)
        {
            counters.increment(WorkerCounter.FDS_LOST);
            WorkerLog.LOG.warn("worker {}: a hand-off for shard {} arrived without its fd (fd limit?)", pid, shardId);
            return;
        }
        if (fd < 0)
        {
            return;
        }
        if (draining || table.isFull())
        {
            counters.increment(WorkerCounter.RETURNS);
            final int result = channel.send(ChannelCommand.RETURN, shardId, table.size(), pid, fd);
            if (result != Channel.SENT && result != Channel.QUEUED)
            {
                rejectFd(fd, ErrorCode.SERVER_FULL);
            }
            return;
        }
        counters.increment(WorkerCounter.HANDOFFS_IN);
        // No fcntl here: every client fd was accepted with SOCK_NONBLOCK by some worker, and
        // O_NONBLOCK lives on the open file description that all copies of the fd share.
        final int slot = table.add(fd, ClientTable.SERVING, nowNanos);
        serveHere(slot, shardId);
        admit(slot);
    }

    /** Queues a frame for the master; the loop flushes once per batch of events. */
    private void sendToMaster(final int command, final int shardId, final int load)
    {
        if (null != channel && channel.post(command, shardId, load, pid, ChannelFrame.NO_FD) == Channel.FULL)
        {
            WorkerLog.LOG.warn("worker {}: channel queue full, {} dropped", pid, ChannelCommand.name(command));
        }
    }

    // ---------------------------------------------------------------- lifecycle and timers

    private void startDrain()
    {
        if (draining)
        {
            return;
        }
        WorkerLog.LOG.info("worker {}: QUIT, draining {} clients", pid, table.size());
        draining = true;
        drainDeadlineNanos = nowNanos + config.drainTimeoutNanos;
        pauseAccepting();
    }

    private void housekeeping()
    {
        if (nowNanos - lastPublishNanos >= PUBLISH_INTERVAL_NANOS)
        {
            publishCounters();
        }
        expireIdleClients();
        maybeResumeAccepting();
        // Report served clients only: a burst of just-accepted connections, most about to be handed
        // off, would make the master think this worker is loaded and send new shards elsewhere.
        if (null != channel && table.serving() != lastReportedLoad && nowNanos - lastLoadReportNanos >= LOAD_REPORT_INTERVAL_NANOS)
        {
            lastReportedLoad = table.serving();
            lastLoadReportNanos = nowNanos;
            sendToMaster(ChannelCommand.LOAD, table.shardCount(), lastReportedLoad);
        }
        if (draining && (0 == table.size() || nowNanos >= drainDeadlineNanos))
        {
            running = false;
        }
    }

    private void publishCounters()
    {
        lastPublishNanos = nowNanos;
        counters.set(WorkerCounter.CLIENTS, table.size());
        counters.set(WorkerCounter.SHARDS, table.shardCount());
        final int busiest = table.busiestShard();
        counters.set(WorkerCounter.BUSIEST_SHARD, busiest);
        counters.set(WorkerCounter.BUSIEST_SHARD_CLIENTS, busiest == WireProtocol.NO_SHARD ? 0 : table.clientsOnShard(busiest));
        if (null != countersFile)
        {
            countersFile.update(0, counters.values());
        }
    }

    private void expireIdleClients()
    {
        int slot;
        while ((slot = table.leastRecentlyActive()) != ClientTable.NONE &&
            nowNanos - table.lastActivityNanos(slot) >= config.idleTimeoutNanos)
        {
            rejectAndClose(slot, ErrorCode.IDLE_TIMEOUT);
        }
    }

    private int waitMillis()
    {
        long wait = MAX_WAIT_MILLIS * NANOS_PER_MILLI;
        final int oldest = table.leastRecentlyActive();
        if (oldest != ClientTable.NONE)
        {
            wait = Math.min(wait, table.lastActivityNanos(oldest) + config.idleTimeoutNanos - nowNanos);
        }
        if (null != channel && table.serving() != lastReportedLoad)
        {
            wait = Math.min(wait, lastLoadReportNanos + LOAD_REPORT_INTERVAL_NANOS - nowNanos);
        }
        if (!accepting && acceptPausedUntilNanos > nowNanos)
        {
            wait = Math.min(wait, acceptPausedUntilNanos - nowNanos);
        }
        if (draining)
        {
            wait = Math.min(wait, drainDeadlineNanos - nowNanos);
        }
        if (null != channel && channel.hasQueued())
        {
            // EPOLLOUT wakes us when the socket drains, but not when ETOOMANYREFS (fds in flight) clears.
            wait = Math.min(wait, CHANNEL_RETRY_NANOS);
        }
        return (int)Math.max(0, (wait + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
    }

    private void pauseAccepting()
    {
        if (accepting)
        {
            accepting = false;
            unregister(listenFd);
        }
    }

    private void maybeResumeAccepting()
    {
        if (!accepting && !draining && !table.isFull() && nowNanos >= acceptPausedUntilNanos)
        {
            resumeAccepting();
        }
    }

    private void resumeAccepting()
    {
        register(listenFd, EPOLLIN | EPOLLEXCLUSIVE, LISTENER_TOKEN);
        accepting = true;
    }

    private void shutdown()
    {
        final boolean toldToStop = draining;
        for (int slot = 0; slot < table.capacity(); slot++)
        {
            if (table.state(slot) != ClientTable.FREE)
            {
                if (toldToStop || null == channel)
                {
                    rejectAndClose(slot, ErrorCode.SHUTTING_DOWN);
                }
                else
                {
                    closeClient(slot);
                }
            }
        }
        if (null != channel)
        {
            channel.flush();
            channel.close();
        }
        if (epollFd >= 0)
        {
            Posix.closeQuietly(epollFd);
            epollFd = -1;
        }
        publishCounters();
        if (null != countersFile)
        {
            countersFile.close(); // the master folds it into its totals and removes it after reaping us
        }
    }

    // ---------------------------------------------------------------- syscalls

    private boolean registerClient(final int slot)
    {
        final long token = ((long)(table.generation(slot) & GENERATION_MASK) << 32) | slot;
        registration.set(0, CLIENT_EVENTS, token);
        return 0 == libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, table.fd(slot), registration.address());
    }

    private void register(final int fd, final int interest, final long token)
    {
        registration.set(0, interest, token);
        Posix.checked("epoll_ctl(ADD)", libc.epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, registration.address()));
    }

    private void unregister(final int fd)
    {
        libc.epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, 0L);
    }

    /** recv that retries EINTR. @return bytes, 0 on EOF, or -errno. */
    private long receive(final int fd, final long address, final int length, final int flags)
    {
        while (true)
        {
            final long read = libc.recv(fd, address, length, flags);
            if (read >= 0)
            {
                return read;
            }
            final int errno = Posix.errno();
            if (errno != Errno.EINTR)
            {
                return -errno;
            }
        }
    }
}
