package dev.mpserver.protocol.channel;

import dev.mpserver.protocol.posix.MsgHdr;
import dev.mpserver.protocol.posix.Posix;

/**
 * Fds a {@link ChannelReceiver} has received but not yet handed to their frames, grouped by the sendmsg
 * that carried them.
 *
 * <p>Why groups work: Linux attaches a sendmsg's fds to its first skb and hands them to the
 * recvmsg that reads that skb's first byte; one recvmsg never takes the fds of two sendmsgs. So
 * groups arrive in stream order and never after the bytes of their frames, and each frame's
 * {@link ChannelFrame#fdIndex() fd-index} picks its fd from the oldest group. A group is done when
 * its last index is claimed; fds nobody claims (a peer that attached more than its frames declare)
 * are closed, and a frame whose fd did not arrive (MSG_CTRUNC: the receiver hit its fd limit) gets
 * {@link ChannelFrame#FD_LOST} without shifting any other frame's fd.
 *
 * <pre>
 *   groups (ring of MAX_GROUPS, oldest first)
 *   +-------------------------+-------------------------+
 *   | fds[0..size) claimed=k  | fds[0..size) claimed=0  |   each group: one recvmsg's SCM_RIGHTS
 *   |                         |                         |   claimed fds are replaced by NO_FD
 *   +-------------------------+-------------------------+
 * </pre>
 */
final class ReceivedFds implements AutoCloseable
{
    /** At most two groups are ever outstanding with a peer that follows the protocol; the rest is slack. */
    private static final int MAX_GROUPS = 4;

    private final int[][] fds = new int[MAX_GROUPS][MsgHdr.SCM_MAX_FD];
    private final int[] size = new int[MAX_GROUPS];
    private final int[] claimed = new int[MAX_GROUPS];
    private int head;
    private int groups;

    /**
     * Starts the group of one recvmsg that brought fds or MSG_CTRUNC (then some or all of the fds
     * were dropped, and an empty group still keeps the next sendmsg's fds from being claimed by
     * this one's frames).
     */
    void beginGroup()
    {
        if (MAX_GROUPS == groups)
        {
            discard(head); // a peer that sends fds no frame claims: never let them pile up
        }
        final int group = index(groups++);
        size[group] = 0;
        claimed[group] = 0;
    }

    /** Adds a received fd to the newest group. */
    void add(final int fd)
    {
        final int group = index(groups - 1);
        if (size[group] == MsgHdr.SCM_MAX_FD)
        {
            Posix.closeQuietly(fd);
            return;
        }
        fds[group][size[group]++] = fd;
    }

    /**
     * The fd of a frame that says it carries fd {@code index} of {@code count}.
     *
     * @return the fd, now owned by the caller, or {@link ChannelFrame#FD_LOST}
     */
    int claim(final int index, final int count)
    {
        if (0 == groups)
        {
            return ChannelFrame.FD_LOST;
        }
        if (0 == index && claimed[head] > 0)
        {
            // A new sendmsg's frames begin while the last one's are unfinished: the peer broke the protocol.
            discard(head);
            if (0 == groups)
            {
                return ChannelFrame.FD_LOST;
            }
        }
        final int group = head;
        int fd = ChannelFrame.FD_LOST;
        if (index < size[group])
        {
            fd = fds[group][index];
            fds[group][index] = ChannelFrame.NO_FD;
        }
        claimed[group]++;
        if (index >= count - 1)
        {
            discard(group);
        }
        return fd;
    }

    /**
     * Called when every byte received so far has been dispatched: a group still unclaimed then
     * came with frames that declare no fd, and its fds are closed.
     */
    void discardUnclaimed()
    {
        while (groups > 0 && 0 == claimed[index(groups - 1)])
        {
            closeFds(index(groups - 1));
            groups--;
        }
    }

    @Override
    public void close()
    {
        while (groups > 0)
        {
            discard(head);
        }
    }

    /** Closes what {@code group} (the oldest) still holds and drops it. */
    private void discard(final int group)
    {
        closeFds(group);
        head = index(1);
        groups--;
    }

    private void closeFds(final int group)
    {
        for (int i = 0; i < size[group]; i++)
        {
            if (fds[group][i] >= 0)
            {
                Posix.closeQuietly(fds[group][i]);
                fds[group][i] = ChannelFrame.NO_FD;
            }
        }
        size[group] = 0;
    }

    private int index(final int offset)
    {
        return (head + offset) % MAX_GROUPS;
    }
}
