package dev.mpserver.loadgen.bench;

/** One kind of server a case measures ("C server", "--workers 2", ...): its name and how to start a fresh one. */
final class ServerShape
{
    /** Starts a fresh server of the shape. */
    @FunctionalInterface
    interface Start
    {
        ServerUnderTest start() throws Exception;
    }

    final String name;
    /** A JVM that must be warmed before a warm figure means anything (mpserver); native peers need none. */
    final boolean jvm;
    private final Start start;

    ServerShape(final String name, final boolean jvm, final Start start)
    {
        this.name = name;
        this.jvm = jvm;
        this.start = start;
    }

    ServerUnderTest start() throws Exception
    {
        return start.start();
    }

    /** The name as a JSON key segment: "--workers 2" → "workers-2". */
    String key()
    {
        return Stats.key(name);
    }
}
