package dev.mpserver.master.pump;

import dev.mpserver.master.process.WorkerSlot;
import dev.mpserver.protocol.channel.ChannelFrame;

/** Takes the frames the pump reads, knowing which worker sent each. */
@FunctionalInterface
public interface WorkerFrameHandler
{
    /**
     * @param from  the worker whose channel it came on
     * @param frame valid only during the call
     * @param fd    the fd it carried (now the handler's), {@link ChannelFrame#NO_FD} or {@link ChannelFrame#FD_LOST}
     */
    void onFrame(WorkerSlot from, ChannelFrame frame, int fd);
}
