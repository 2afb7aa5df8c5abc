package dev.mpserver.loadgen.bench;

/** A client the bench drives a server with: loadgen in-process, or the independent C client. */
interface BenchClient
{
    /** Short name for tables and JSON keys: "loadgen", "C". */
    String name();

    /** Runs the load against 127.0.0.1:port and returns its figures; bounded by the load's duration. */
    ClientResult run(int port, ClientLoad load) throws Exception;
}
