package dev.mpserver.loadgen.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The independent C client ({@code scripts/reference/epoll_client.c}, compiled by
 * {@link NativePeers}): one process per run, its key=value lines parsed into a {@link ClientResult}.
 * Its failures are the independent truth about lost clients: nothing in it is shared with loadgen.
 */
final class EpollClient implements BenchClient
{
    static final String NAME = "C";
    /** Beyond the load's own --duration: process start and the report. */
    private static final long EXIT_GRACE_SECONDS = 30;

    private final Path binary;

    EpollClient(final Path binary)
    {
        this.binary = binary;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ClientResult run(final int port, final ClientLoad load) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(load.toEpollClientArguments(port));
        return ClientResult.ofKeyValues(NAME,
            KeyValueProcess.run("the C client", command, (long)ClientLoad.DURATION_SECONDS + EXIT_GRACE_SECONDS));
    }
}
