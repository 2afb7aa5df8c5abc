package dev.mpserver.loadgen.multihost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.mpserver.protocol.launch.Executables;

/**
 * What a {@link MultiHostCluster} needs of the machine: Linux, root (network namespaces), iproute2
 * and HAProxy; and that a namespace can really be made here (a container may forbid it even to
 * root). Asked before anything is made, so a test or the bench can say in one line why it skips.
 */
final class MultiHostPrerequisites
{
    private MultiHostPrerequisites()
    {
    }

    /** @return null if namespaced hosts and HAProxy can run here, else what is missing, in words. */
    static String unavailableReason()
    {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"))
        {
            return "network namespaces need Linux";
        }
        if (!isRoot())
        {
            return "network namespaces need root (ip netns add), and this is not root";
        }
        if (!Executables.isInstalled("ip"))
        {
            return "no 'ip' command: install iproute2";
        }
        if (!Executables.isInstalled("haproxy"))
        {
            return "no 'haproxy' command: install haproxy (apt-get install -y haproxy)";
        }
        final String probe = "mpserver-probe-" + ProcessHandle.current().pid();
        try
        {
            ShortCommand.run(List.of("ip", "netns", "add", probe));
            ShortCommand.run(List.of("ip", "netns", "del", probe));
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot create a network namespace here: " + ex.getMessage();
        }
    }

    private static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("Uid:"))
                {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        }
        catch (final IOException ex)
        {
            return false;
        }
        return false;
    }
}
