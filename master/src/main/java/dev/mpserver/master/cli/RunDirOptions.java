package dev.mpserver.master.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.mpserver.protocol.rundir.RunDirectory;
import picocli.CommandLine.Option;

/** Which server a control command ({@code stat}, {@code signal}) is about: its run directory, given or found by port. */
public final class RunDirOptions
{
    @Option(names = "--run-dir", paramLabel = "DIR",
        description = "The server's --run-dir. Default: mpserver-<port> under $XDG_RUNTIME_DIR, /run, /dev/shm or /tmp, the first "
            + "that exists.")
    Path runDir;

    @Option(names = {"-p", "--port"}, defaultValue = "8935", description = "Find the run dir of the server on this port (default ${DEFAULT-VALUE}).")
    int port;

    /**
     * @return the run directory
     * @throws CommandFailedException if there is none
     */
    Path existing()
    {
        final Path dir = null != runDir ? runDir : RunDirectory.find(port);
        if (!Files.isDirectory(dir))
        {
            throw new CommandFailedException("no run directory " + dir + " (is the server running with this --port or --run-dir?)");
        }
        return dir;
    }
}
