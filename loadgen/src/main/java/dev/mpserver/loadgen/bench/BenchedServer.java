package dev.mpserver.loadgen.bench;

import java.util.List;

/**
 * A server a bench starts fresh for a run, mpserver or a peer: where its clients connect, and the
 * processes whose CPU and memory the bench measures.
 */
interface BenchedServer extends AutoCloseable
{
    int port();

    /** Its processes: the master first, then its workers. */
    List<Long> pids();

    @Override
    void close() throws InterruptedException;
}
