package dev.mpserver.master.it;

import dev.mpserver.protocol.launch.WorkerLaunch;

/**
 * Test worker ({@code mpserver --worker-class}): exits at once with the fatal-configuration status,
 * as a real worker does when it cannot use its arguments or fds.
 */
public final class FatalConfigWorker
{
    private FatalConfigWorker()
    {
    }

    public static void main(final String[] args)
    {
        System.exit(WorkerLaunch.EXIT_FATAL_CONFIG);
    }
}
