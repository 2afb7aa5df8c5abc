package dev.mpserver.master.process;

/**
 * What a change in a worker's life means for the clients and shards routed to it. Process
 * management tells routing through this, and so does not depend on it.
 */
public interface WorkerRouting
{
    /** The worker said READY: the clients waiting for it go to it now. */
    void onWorkerReady(WorkerSlot slot);

    /** The worker was told to QUIT: it takes no shard any more, and its waiting clients go elsewhere. */
    void onWorkerDraining(WorkerSlot slot);

    /** The worker cannot be reached any more: its shards and its waiting and queued clients go elsewhere. */
    void onWorkerLost(WorkerSlot slot, String why);

    /** @return the shards routing has assigned to the worker */
    int shardsOf(WorkerSlot slot);
}
