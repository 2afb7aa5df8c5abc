package dev.mpserver.loadgen.ids;

/**
 * The shard id a connection sends in its 'C' frame. One instance per engine thread: not thread-safe,
 * allocation-free.
 */
@FunctionalInterface
public interface ShardIdGenerator
{
    /** @param connectionIndex the run-wide index of the connection, 0-based. */
    int shardFor(long connectionIndex);
}
