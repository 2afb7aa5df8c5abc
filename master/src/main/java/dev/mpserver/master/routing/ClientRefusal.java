package dev.mpserver.master.routing;

import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.process.PendingHandoffs;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.net.LingeringClose;
import dev.mpserver.protocol.posix.LibC;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.wire.ErrorCode;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's way of turning a client away: its {@code 'E'} frame, then a lingering close
 * ({@link LingeringClose}) so that the client reads the frame instead of a reset. The master has no
 * epoll set: lingering sockets are polled on the tick ({@link #onTick}).
 */
public final class ClientRefusal
{
    private static final Logger LOG = LogManager.getLogger(ClientRefusal.class);
    /** Refused clients lingering in the master at once at most (each holds an fd until it is done). */
    private static final int LINGER_CAPACITY = 1024;
    private static final int LINGER_MAX_BYTES = 256 * 1024;

    private final LibC libc = Posix.LIBC;
    private final MasterCounters counters;
    private final CachedNanoClock clock;
    private final LingeringClose lingering;
    private final UnsafeBuffer errorFrame = NativeMemory.allocate(WireProtocol.MAX_ERROR_FRAME_LENGTH);
    /** Waiting clients of a server that is stopping: each told {@code E 5}. */
    private final PendingHandoffs.Sink shuttingDown = this::refuseShuttingDown;

    public ClientRefusal(final MasterCounters counters, final CachedNanoClock clock, final long lingerTimeoutNanos)
    {
        this.counters = counters;
        this.clock = clock;
        this.lingering = new LingeringClose(LINGER_CAPACITY, lingerTimeoutNanos, LINGER_MAX_BYTES, -1);
    }

    /**
     * Tells the client why, then closes it once it has read that. Never blocks: a client that
     * cannot take 30 bytes loses them. E3 and E5 are counted here; E2 by the caller, which knows
     * which limit was hit.
     */
    public void refuse(final int fd, final ErrorCode code)
    {
        if (code == ErrorCode.SHARD_BUSY)
        {
            counters.increment(MasterCounter.REJECTED_SHARD_BUSY);
        }
        else if (code == ErrorCode.SHUTTING_DOWN)
        {
            counters.increment(MasterCounter.REJECTED_SHUTTING_DOWN);
        }
        final int length = WireEncoder.putError(errorFrame, 0, code);
        if (libc.send(fd, errorFrame.addressOffset(), length, MsgHdr.MSG_NOSIGNAL | MsgHdr.MSG_DONTWAIT) < 0 && LOG.isDebugEnabled())
        {
            // The client's problem (gone, or not reading), not ours: the lingering close ends it either way.
            LOG.debug("refusing fd {} with E{}: send failed: {}", fd, code.code(), Posix.strerror(Posix.errno()));
        }
        lingering.start(fd, clock.nanoTime());
    }

    /** Where waiting clients go when the server stops. */
    public PendingHandoffs.Sink shuttingDown()
    {
        return shuttingDown;
    }

    /** Reads what lingering clients sent and closes those done or past their time. */
    public void onTick()
    {
        lingering.poll();
        lingering.expire(clock.nanoTime());
    }

    public void closeAll()
    {
        lingering.closeAll();
    }

    /** The lingering close's own counts, which it keeps: the publisher copies them. */
    public void publishTo(final MasterCounters target)
    {
        target.set(MasterCounter.LINGERING, lingering.started());
        target.set(MasterCounter.LINGER_TIMEOUTS, lingering.timedOut());
        target.set(MasterCounter.LINGER_AT_CAPACITY, lingering.closedAtCapacity());
    }

    private void refuseShuttingDown(final int shardId, final int fd, final DirectBuffer payload, final int offset, final int length)
    {
        refuse(fd, ErrorCode.SHUTTING_DOWN);
    }
}
