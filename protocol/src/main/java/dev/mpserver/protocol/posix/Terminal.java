package dev.mpserver.protocol.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether one of this process's fds is a terminal, from what {@code /proc/self/fd} says it is
 * (a tty or a pseudo-terminal): no native call, so a command that needs only this binds none.
 * {@code System.console()} answers another question (stdin and stdout both terminals).
 */
public final class Terminal
{
    public static final int STDOUT = 1;
    public static final int STDERR = 2;

    private Terminal()
    {
    }

    public static boolean isTerminal(final int fd)
    {
        try
        {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }

    /** {@code /dev/pts/N}, {@code /dev/ttyN}, {@code /dev/tty}, {@code /dev/console}: a terminal; anything else (a pipe, a file): not. */
    static boolean isTerminalDevice(final String target)
    {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
