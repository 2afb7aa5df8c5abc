package dev.mpserver.master.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.channel.ChannelFrameHandler;
import dev.mpserver.protocol.posix.EpollEvents;
import dev.mpserver.protocol.posix.Posix;

/**
 * A stand-in worker for measuring the master alone: it says READY, then streams HANDOFF frames,
 * each carrying a fresh fd (a dup of one socket, so no client traffic is involved), for random
 * shards, and closes every fd the master forwards back to it. It writes how many it sent and
 * received to {@code <run-dir>/synthetic-<pid>.txt} when the master says QUIT.
 *
 * <p>Started by {@code mpserver --worker-class dev.mpserver.master.bench.SyntheticWorker} (a
 * benchmark-only, hidden option) with the channel on fd 3 and the listener on fd 4, like a worker.
 */
public final class SyntheticWorker implements ChannelFrameHandler
{
    private static final int CHANNEL_FD = 3;
    private static final int LISTEN_FD = 4;
    private static final int SHARDS = 10_000;
    /** Keep this many of our frames unsent at most, so the master, not our queue, sets the pace; one sendmsg's worth. */
    private static final int QUEUE_HIGH_WATER = 64;
    private static final int WAIT_MILLIS = 10;
    /**
     * Hand-offs sent and not matched by one received, at most. With two synthetic workers and random
     * shards each gets back about what it sends; the window keeps the master's per-worker queues
     * (and so its E3 back-pressure) out of the measurement.
     */
    private static final int IN_FLIGHT = 1024;

    private final Channel channel = new Channel(CHANNEL_FD, 4096);
    private long sent;
    private long received;
    private boolean quit;

    public static void main(final String[] args) throws Exception
    {
        Path runDir = null;
        for (int i = 0; i < args.length - 1; i++)
        {
            if ("--run-dir".equals(args[i]))
            {
                runDir = Path.of(args[i + 1]);
            }
        }
        new SyntheticWorker().run(runDir);
    }

    private void run(final Path runDir) throws Exception
    {
        Posix.setNonBlocking(CHANNEL_FD);
        final int pid = Posix.LIBC.getpid();
        channel.send(ChannelCommand.READY, 0, 0, pid, ChannelFrame.NO_FD);
        channel.send(ChannelCommand.WARM, 0, 0, pid, ChannelFrame.NO_FD); // nothing to warm: take hand-offs at once
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final int epoll = Posix.checked("epoll_create1", Posix.LIBC.epoll_create1(EpollEvents.EPOLL_CLOEXEC));
        final EpollEvents events = new EpollEvents(1).set(0, EpollEvents.EPOLLIN | EpollEvents.EPOLLOUT, CHANNEL_FD);
        Posix.checked("epoll_ctl", Posix.LIBC.epoll_ctl(epoll, EpollEvents.EPOLL_CTL_ADD, CHANNEL_FD, events.address()));
        long lastLoadAt = 0;
        while (!quit && !channel.isClosed())
        {
            if (channel.queuedFrames() >= QUEUE_HIGH_WATER || sent - received >= IN_FLIGHT)
            {
                // Sleep until the master reads or writes: the master, not our spinning, sets the pace.
                Posix.LIBC.epoll_wait(epoll, events.address(), 1, WAIT_MILLIS);
            }
            channel.receive(this);
            // Like a worker after a batch of accepts: post the hand-offs, then one flush sends them.
            while (channel.queuedFrames() < QUEUE_HIGH_WATER && sent - received < IN_FLIGHT && !quit)
            {
                final int fd = Posix.LIBC.dup(LISTEN_FD);
                if (fd < 0)
                {
                    break;
                }
                if (channel.post(ChannelCommand.HANDOFF, random.nextInt(SHARDS), 0, pid, fd) != Channel.QUEUED)
                {
                    Posix.closeQuietly(fd);
                    break;
                }
                sent++;
            }
            if (received != lastLoadAt)
            {
                // "No clients": the master must never think a synthetic worker full. After the
                // hand-offs, so that it rides in their sendmsg.
                lastLoadAt = received;
                channel.post(ChannelCommand.LOAD, 0, 0, pid, ChannelFrame.NO_FD);
            }
            channel.flush();
        }
        if (null != runDir)
        {
            Files.writeString(runDir.resolve("synthetic-" + pid + ".txt"), "sent=" + sent + " received=" + received + "\n");
        }
        channel.close();
        Posix.closeQuietly(epoll);
    }

    @Override
    public void onFrame(final ChannelFrame frame, final int fd)
    {
        if (fd >= 0)
        {
            Posix.closeQuietly(fd);
            received++;
        }
        if (frame.command() == ChannelCommand.QUIT || frame.command() == ChannelCommand.QUIT_NOW)
        {
            quit = true;
        }
    }
}
