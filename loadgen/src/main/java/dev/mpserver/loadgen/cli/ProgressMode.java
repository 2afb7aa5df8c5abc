package dev.mpserver.loadgen.cli;

import dev.mpserver.protocol.posix.Terminal;

/** {@code --progress}: how the once-a-second line is shown on stderr. */
public enum ProgressMode
{
    /** Rewritten in place when attached to a terminal, plain lines otherwise. */
    auto,
    /** Always rewrite one line in place. */
    tty,
    /** One line per second (for logs). */
    plain,
    /** No progress line. */
    off;

    /**
     * @return true if the line is rewritten in place. It goes to stderr, so {@code auto} asks whether
     *     stderr is a terminal: whether stdin or stdout is one ({@code System.console()}) says nothing.
     */
    public boolean rewritesInPlace()
    {
        return this == tty || this == auto && Terminal.isTerminal(Terminal.STDERR);
    }
}
