package dev.mpserver.protocol.channel;

/** Receives the frames a {@link Channel} read. */
@FunctionalInterface
public interface ChannelFrameHandler
{
    /**
     * @param frame valid only during the call
     * @param fd    the attached fd, now owned by the handler; {@link ChannelFrame#NO_FD} when the
     *              frame carries none; {@link ChannelFrame#FD_LOST} when it should have carried one
     *              that the kernel dropped (receiver at its fd limit)
     */
    void onFrame(ChannelFrame frame, int fd);
}
