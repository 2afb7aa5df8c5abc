package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.FileStat;
import dev.mpserver.protocol.posix.Posix;

/**
 * Child process of {@link FdPassingAcrossProcessesTest}: for every HANDOFF with an fd on its
 * channel (fd 3) it answers with the fd's inode (low half in {@code load}, high half in
 * {@code pid}) and closes the fd. A QUIT frame makes it report its fd count at start (shard-id)
 * and now (load), then exit.
 */
public final class FdEchoChild
{
    private static final int CHANNEL_FD = 3;

    public static void main(final String[] args) throws Exception
    {
        final int baseline = Posix.openFdCount();
        final FileStat stat = new FileStat();
        final boolean[] done = {false};
        try (Channel channel = new Channel(CHANNEL_FD, 1 << 16))
        {
            Posix.setNonBlocking(CHANNEL_FD);
            final ChannelFrameHandler handler = (frame, fd) ->
            {
                if (frame.command() == ChannelCommand.QUIT)
                {
                    done[0] = true;
                    channel.send(ChannelCommand.LOAD, baseline, Posix.openFdCount(), 0, ChannelFrame.NO_FD);
                    return;
                }
                long inode = -1;
                if (fd >= 0)
                {
                    stat.of(fd);
                    inode = stat.isSocket() ? stat.inode() : -1;
                    Posix.close(fd);
                }
                if (channel.send(ChannelCommand.HANDOFF, frame.shardId(), (int)inode, (int)(inode >>> 32), ChannelFrame.NO_FD)
                    == Channel.FULL)
                {
                    throw new IllegalStateException("reply queue full");
                }
            };
            while (!done[0] && !channel.isClosed())
            {
                channel.receive(handler);
                channel.flush();
                Thread.onSpinWait();
            }
            while (channel.hasQueued() && channel.flush() > 0)
            {
                Thread.onSpinWait();
            }
        }
    }
}
