package dev.mpserver.loadgen.bench;

/** One case of the suite: starts its own servers, measures, prints its table, records its figures. */
interface BenchCase
{
    void run(BenchContext ctx) throws Exception;
}
