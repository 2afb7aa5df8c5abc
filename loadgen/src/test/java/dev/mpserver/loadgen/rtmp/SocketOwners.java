package dev.mpserver.loadgen.rtmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.mpserver.protocol.posix.Posix;

/**
 * Which server process holds the accepted end of each client connection, read from /proc: the
 * ground truth a test compares loadgen's per-player report with. Linux only (as the project).
 */
final class SocketOwners
{
    private static final String ESTABLISHED = "01";

    private SocketOwners()
    {
    }

    /** @return client (remote) port → pid of the process among {@code pids} that holds that connection on {@code serverPort}. */
    static Map<Integer, Long> byClientPort(final int serverPort, final List<Long> pids) throws IOException
    {
        final Map<Long, Long> inodeToPid = new HashMap<>();
        for (final long pid : pids)
        {
            for (final String target : Posix.openFdTargets(Long.toString(pid)))
            {
                final long inode = Posix.socketInode(target);
                if (inode >= 0)
                {
                    inodeToPid.put(inode, pid);
                }
            }
        }
        final Map<Integer, Long> owners = new HashMap<>();
        final List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (final String line : lines.subList(1, lines.size()))
        {
            final String[] f = line.trim().split("\\s+");
            final int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
            final int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
            final Long pid = inodeToPid.get(Long.parseLong(f[9]));
            if (localPort == serverPort && ESTABLISHED.equals(f[3]) && pid != null)
            {
                owners.put(remotePort, pid);
            }
        }
        return owners;
    }
}
