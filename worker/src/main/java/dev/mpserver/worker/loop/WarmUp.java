package dev.mpserver.worker.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.counters.WorkerCounter;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.NativeMemory;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.shard.SharedShardTable;
import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import dev.mpserver.worker.WorkerCounters;
import dev.mpserver.worker.WorkerLog;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A new worker's own traffic before it takes real clients. Measured (issue 16): the first 5 000
 * clients after a start met a route p99 of 70 ms against 0.3 ms warm, and about 1 000 clients of
 * synthetic traffic first brought it to ~0.7 ms: what costs is the JIT compiling the hot paths
 * and the one-off work of a new JVM, both at once with the first real clients.
 *
 * <p>So after READY a worker runs, on a thread of its own, a second {@link WorkerLoop} over a
 * private listener (127.0.0.1, ephemeral port) and a private socketpair, plays its master (every
 * hand-off comes straight back, as the master sends a shard's client to its owner) and its clients
 * ({@code 'C'} id, messages one at a time, {@code 'I'}): the same classes and methods as real
 * clients use, accepted, routed, handed off and over, served; over a private shard table where its
 * shards are new, another worker's, or another worker's and empty ({@link WarmUpShards}), so that
 * every way of taking a shard ({@link dev.mpserver.worker.session.ShardRouter}) runs often enough
 * to be compiled. Then it tells the real loop, which says WARM to the master; until then the
 * master gives new shards to warm workers only, where there are. Bounded in clients and in time; a failure only ends the warm-up early.
 */
final class WarmUp implements Runnable
{
    private static final int LOOPBACK = SockAddrIn.parseIpv4("127.0.0.1");
    /**
     * 'C' with the first message, then two more one at a time: each message path runs 2 000-3 000
     * times, past C1's thresholds (a few hundred calls) as 10 per client did, and the per-client
     * paths (accept, route, hand-off, close) run as often as before. Measured side by side (docs/
     * benchmarks.md, ninth session): the warm-up took 335-362 ms instead of 522-540, and 3-5
     * methods were compiled during the first real load after it against 1-3 (none on a client's
     * path: a gauge setter).
     */
    private static final int MESSAGES_PER_CLIENT = 3;
    private static final long BUDGET_NANOS = 3_000_000_000L;
    private static final int RECEIVE_TIMEOUT_MILLIS = 1_000;
    private static final int WARM_UP_MAX_CLIENTS = 64;
    /**
     * Where SCHED_IDLE is refused, the warm-up's threads run at this nice value instead (see
     * {@link #yieldToServing}).
     */
    private static final int WARM_UP_NICE = 10;
    /** How long the fake master sleeps in epoll_wait before it looks whether to stop. */
    private static final int MASTER_WAIT_MILLIS = 50;

    private final WorkerConfig realConfig;
    /** The real worker's: the warm-up's result is its to show. */
    private final WorkerCounters counters;
    private final int clients;
    private volatile boolean done;
    /** Clients served to the end, by the warm-up's client thread. */
    private int served;
    /** What its loop did with its clients' shards (WarmUpShards): taken here, of them taken over, handed off. */
    private long claimed;
    private long takenOver;
    private long handedOff;
    private volatile boolean stopMaster;

    WarmUp(final WorkerConfig realConfig, final WorkerCounters counters)
    {
        this.realConfig = realConfig;
        this.counters = counters;
        this.clients = realConfig.warmUpClients;
    }

    /** Starts the warm-up on its own daemon thread. */
    WarmUp start()
    {
        final Thread thread = new Thread(this, "warm-up");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    boolean isDone()
    {
        return done;
    }

    /** Shards its loop took itself (an insert or a take-over), once it is done. */
    long claimed()
    {
        return claimed;
    }

    /** Of {@link #claimed}, another worker's empty shards taken over. */
    long takenOver()
    {
        return takenOver;
    }

    /** Clients its loop handed off to the master (and got back). */
    long handedOff()
    {
        return handedOff;
    }

    @Override
    public void run()
    {
        final long started = System.nanoTime();
        yieldToServing();
        try
        {
            exercise(started);
        }
        catch (final RuntimeException | Error ex)
        {
            WorkerLog.LOG.warn("warm-up ended early after {} clients: {}", served, ex.toString());
        }
        finally
        {
            WorkerLog.LOG.debug("warm-up: {} clients; shards taken {} (taken over {}), clients handed off {}", served, claimed, takenOver,
                handedOff);
            counters.set(WorkerCounter.WARM_UP_CLIENTS, served);
            counters.set(WorkerCounter.WARM_UP_MS, (System.nanoTime() - started) / 1_000_000L);
            done = true;
        }
    }

    private void exercise(final long started)
    {
        final int listenFd = Posix.listenTcp(LOOPBACK, 0, WARM_UP_MAX_CLIENTS);
        final int[] pair = Posix.socketPair();
        final WorkerConfig config = new WorkerConfig(realConfig.slot, WARM_UP_MAX_CLIENTS, 10_000, realConfig.outputCapBytes,
            0, 100, null, realConfig.rtmp);
        final Path tableFile = temporaryFile();
        final SharedShardTable shards = SharedShardTable.create(tableFile, WarmUpShards.SETS, realConfig.slot + 2, WARM_UP_MAX_CLIENTS, true);
        // Only this process maps it, and it is mapped: unlinked at once, a worker killed during its
        // warm-up (kill -9, a stop in that second) leaves no file behind in the temporary directory.
        deleteQuietly(tableFile);
        WarmUpShards.prepare(shards, realConfig.slot, realConfig.slot + 1, clients);
        final WorkerLoop loop = new WorkerLoop(config, listenFd, pair[1], true, shards, false);
        final Channel master = new Channel(pair[0]);
        Posix.setNonBlocking(pair[0]);
        final Thread loopThread = new Thread(() ->
        {
            yieldToServing();
            loop.run();
        }, "warm-up-loop");
        final Thread masterThread = new Thread(() ->
        {
            yieldToServing();
            playMaster(master);
        }, "warm-up-master");
        loopThread.setDaemon(true);
        masterThread.setDaemon(true);
        loopThread.start();
        masterThread.start();
        try
        {
            final int port = Posix.localPort(listenFd);
            final UnsafeBuffer buffer = NativeMemory.allocate(WireProtocol.MAX_ERROR_FRAME_LENGTH + WireProtocol.CONTROL_FRAME_LENGTH +
                WireProtocol.PROTOTYPE_PING.length + WireProtocol.TYPE_LENGTH);
            while (served < clients && System.nanoTime() - started < BUDGET_NANOS)
            {
                playClient(port, WarmUpShards.of(served), buffer);
                served++;
            }
        }
        finally
        {
            final WorkerCounters paths = loop.counters(); // before the loop ends: it unmaps them
            claimed = paths.get(WorkerCounter.SHARDS_CLAIMED);
            takenOver = paths.get(WorkerCounter.SHARDS_TAKEN_OVER);
            handedOff = paths.get(WorkerCounter.HANDOFFS_OUT);
            stopMaster = true;
            join(masterThread);
            master.send(ChannelCommand.QUIT_NOW, 0, 0, 0, ChannelFrame.NO_FD);
            join(loopThread);
            master.close();
            Posix.closeQuietly(listenFd);
            shards.close();
        }
    }

    private static Path temporaryFile()
    {
        try
        {
            return Files.createTempFile("mpserver-warm-up-", ".shards");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignored)
        {
            // a temporary file left behind is all
        }
    }

    /** One client: 'C' id with its first message, the rest one at a time, 'I', close. */
    private static void playClient(final int port, final int shardId, final UnsafeBuffer buffer)
    {
        final int fd = Posix.connectTcp(LOOPBACK, port, RECEIVE_TIMEOUT_MILLIS);
        try
        {
            int length = WireEncoder.putControl(buffer, 0, shardId);
            length += WireEncoder.putPrototypePing(buffer, length);
            sendAll(fd, buffer, length);
            receive(fd, buffer, WireProtocol.PING_REPLY_LENGTH);
            for (int m = 1; m < MESSAGES_PER_CLIENT; m++)
            {
                sendAll(fd, buffer, WireEncoder.putPrototypePing(buffer, 0));
                receive(fd, buffer, WireProtocol.PING_REPLY_LENGTH);
            }
            sendAll(fd, buffer, WireEncoder.putIdentify(buffer, 0));
            receive(fd, buffer, WireProtocol.IDENTIFY_REPLY_LENGTH);
        }
        finally
        {
            Posix.closeQuietly(fd);
        }
    }

    /**
     * Every hand-off straight back to the worker, as the master forwards a shard's client to its
     * owner. It sleeps in epoll_wait between frames: the warm-up shares two cores with the workers
     * that serve real clients meanwhile (a respawn), so it must not spin.
     */
    private void playMaster(final Channel master)
    {
        final int epollFd = Posix.checked("epoll_create1", Posix.LIBC.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        try
        {
            final EpollEvents events = new EpollEvents(1).set(0, EpollEvents.EPOLLIN, 0);
            Posix.checked("epoll_ctl(ADD, warm-up channel)",
                Posix.LIBC.epoll_ctl(epollFd, EpollEvents.EPOLL_CTL_ADD, master.fd(), events.address()));
            while (!stopMaster && !master.isClosed())
            {
                echoHandOffs(master);
                if (Posix.LIBC.epoll_wait(epollFd, events.address(), 1, MASTER_WAIT_MILLIS) < 0 && Posix.errno() != Errno.EINTR)
                {
                    throw new PosixException("epoll_wait", Posix.errno());
                }
            }
        }
        finally
        {
            Posix.closeQuietly(epollFd);
        }
    }

    private static void echoHandOffs(final Channel master)
    {
        master.receive((frame, fd) ->
            {
                if (frame.command() == ChannelCommand.HANDOFF && fd >= 0)
                {
                    if (master.send(ChannelCommand.HANDOFF, frame.shardId(), 0, 0, fd, frame.buffer(), frame.payloadOffset(),
                        frame.payloadLength()) == Channel.FULL)
                    {
                        Posix.closeQuietly(fd);
                    }
                }
                else if (fd >= 0)
                {
                    Posix.closeQuietly(fd);
                }
            });
    }

    private static void sendAll(final int fd, final UnsafeBuffer buffer, final int length)
    {
        int sent = 0;
        while (sent < length)
        {
            final long n = Posix.LIBC.send(fd, buffer.addressOffset() + sent, length - sent, MsgHdr.MSG_NOSIGNAL);
            if (n <= 0)
            {
                throw new IllegalStateException("warm-up send: " + Posix.strerror(Posix.errno()));
            }
            sent += (int)n;
        }
    }

    private static void receive(final int fd, final UnsafeBuffer buffer, final int length)
    {
        int read = 0;
        while (read < length)
        {
            final long n = Posix.LIBC.recv(fd, buffer.addressOffset() + read, length - read, 0);
            if (n <= 0)
            {
                throw new IllegalStateException("warm-up receive: " + (0 == n ? "EOF" : Posix.strerror(Posix.errno())));
            }
            read += (int)n;
        }
    }

    /**
     * On a respawn or a reload, sibling workers serve real clients on the same cores while this
     * worker rehearses. Measured (kill -9 of one of two workers after a reload, the first 5 000
     * clients at 3 000/s): at nice 0 the rehearsal raised their route p99 several-fold, at nice 10
     * still 2-8x, because a nice thread keeps a share of a contended core and a waking serving
     * thread may wait out its slice. SCHED_IDLE runs it only on CPU nobody else wants. Where the
     * kernel refuses that, nice 10; where it refuses both, full priority, which still warms.
     */
    private static void yieldToServing()
    {
        try
        {
            Posix.idleThisThread();
        }
        catch (final PosixException idleRefused)
        {
            try
            {
                Posix.niceThisThread(WARM_UP_NICE);
            }
            catch (final PosixException ex)
            {
                WorkerLog.LOG.debug("warm-up stays at its priority: {}; {}", idleRefused.getMessage(), ex.getMessage());
            }
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(RECEIVE_TIMEOUT_MILLIS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
