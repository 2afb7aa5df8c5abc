package dev.mpserver.master.haproxy;

import dev.mpserver.protocol.wire.WireProtocol;

/** Pieces of HAProxy configuration text shared by the configurations mpserver prints. */
final class HaproxyText
{
    private static final long MILLIS_PER_SECOND = 1000;

    private HaproxyText()
    {
    }

    /** A duration as HAProxy reads it: "60s", or "250ms" when it is no whole number of seconds. */
    static String duration(final long millis)
    {
        return millis % MILLIS_PER_SECOND == 0 ? millis / MILLIS_PER_SECOND + "s" : millis + "ms";
    }

    /** A byte as the hex digits of {@code send-binary}, {@code -m bin} and {@code rbinary}. */
    static String hex(final byte value)
    {
        return String.format("%02x", value & 0xff);
    }

    /**
     * The health check every mpserver answers: connect, send 'I', expect the whole 17-byte 'I'
     * reply. A connection that names no shard stays on the worker that accepted it, so the reply
     * proves that the host's master holds its listener and a worker accepts and serves; a bare TCP
     * connect would pass while every worker hangs, because the kernel completes it.
     */
    static void identifyCheck(final StringBuilder out, final String indent)
    {
        out.append(indent).append("option tcp-check\n");
        out.append(indent).append("tcp-check connect\n");
        out.append(indent).append("tcp-check send-binary ").append(hex(WireProtocol.IDENTIFY)).append('\n');
        out.append(indent).append("tcp-check expect min-recv ").append(WireProtocol.IDENTIFY_REPLY_LENGTH)
            .append(" rbinary ^").append(hex(WireProtocol.IDENTIFY)).append('\n');
    }
}
