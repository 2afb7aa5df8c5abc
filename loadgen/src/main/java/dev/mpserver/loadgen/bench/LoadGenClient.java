package dev.mpserver.loadgen.bench;

import dev.mpserver.loadgen.engine.LoadGenRun;

/**
 * loadgen inside the bench's JVM: warm after the first runs (its JIT state carries over from run to
 * run), which is what the closed-loop cases want from it. How loadgen does as users start it, in a
 * fresh JVM, is {@link LoadGenCommand}'s job.
 */
final class LoadGenClient implements BenchClient
{
    static final String NAME = "loadgen";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ClientResult run(final int port, final ClientLoad load) throws Exception
    {
        return ClientResult.of(NAME, new LoadGenRun(load.toLoadConfig(port)).call());
    }
}
