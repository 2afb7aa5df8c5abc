package dev.mpserver.loadgen.cli;

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
    off
}
