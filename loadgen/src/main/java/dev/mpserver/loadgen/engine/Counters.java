package dev.mpserver.loadgen.engine;

import dev.mpserver.protocol.wire.ErrorCode;

/**
 * Indices of the run's counters. Each engine thread owns one {@code long} per index (see
 * {@link ThreadMetrics}); the report sums them over threads.
 *
 * <pre>
 * 0 ………………… SIMPLE_COUNT-1                      one counter each, named below
 * FAILURE_BASE + phase·KINDS + kind                  failed connections, phase × kind
 * SHED_BASE + phase                                  connections ended by an 'E' reply, by phase
 * ERROR_CODE_BASE + code                             'E' replies by code byte (0..255)
 * </pre>
 */
public final class Counters
{
    /** Connections whose connect was attempted. */
    public static final int STARTED = 0;
    /** TCP connect completed. */
    public static final int CONNECTED = STARTED + 1;
    /** First reply received (the server routed the client). */
    public static final int ROUTED = CONNECTED + 1;
    /** Connections that did all they were asked to and were closed by loadgen. */
    public static final int OK = ROUTED + 1;
    /** Connections ended by an 'E' reply. */
    public static final int SHED = OK + 1;
    /** Connections that failed (see FAILURE_BASE). */
    public static final int FAILED = SHED + 1;
    /** Connections still open when --duration ran out or the run was stopped. */
    public static final int CUT_OFF = FAILED + 1;
    /** 'M' frames written. */
    public static final int MESSAGES_SENT = CUT_OFF + 1;
    /** Ping replies received. */
    public static final int REPLIES = MESSAGES_SENT + 1;
    /** 'I' frames written. */
    public static final int IDENTIFY_SENT = REPLIES + 1;
    /** 'I' replies received. */
    public static final int IDENTIFY_REPLIES = IDENTIFY_SENT + 1;
    /** 'B' frames received from other clients of the shard. */
    public static final int BROADCASTS = IDENTIFY_REPLIES + 1;
    /** Connections that received a reply to every message. */
    public static final int ALL_REPLIED = BROADCASTS + 1;
    /** Sum over ALL_REPLIED connections of (last reply − connected), for the achieved per-connection rate. */
    public static final int SERVING_NANOS = ALL_REPLIED + 1;
    public static final int BYTES_WRITTEN = SERVING_NANOS + 1;
    public static final int BYTES_READ = BYTES_WRITTEN + 1;
    /** Not a count: when the thread started its latest connection, ns after time zero. Combined by max. */
    public static final int LAST_START_NANOS = BYTES_READ + 1;
    private static final int SIMPLE_COUNT = LAST_START_NANOS + 1;

    public static final int PHASES = Phase.values().length;
    public static final int KINDS = FailureKind.values().length;
    public static final int ERROR_CODES = 256;

    public static final int FAILURE_BASE = SIMPLE_COUNT;
    public static final int SHED_BASE = FAILURE_BASE + PHASES * KINDS;
    public static final int ERROR_CODE_BASE = SHED_BASE + PHASES;
    public static final int LENGTH = ERROR_CODE_BASE + ERROR_CODES;

    static
    {
        if (ErrorCode.values().length >= ERROR_CODES)
        {
            throw new IllegalStateException("error codes must fit one byte");
        }
    }

    private Counters()
    {
    }

    /** @return true for the counters that are combined over threads by maximum rather than sum. */
    public static boolean isMaximum(final int index)
    {
        return index == LAST_START_NANOS;
    }

    public static int failure(final Phase phase, final FailureKind kind)
    {
        return FAILURE_BASE + phase.ordinal() * KINDS + kind.ordinal();
    }

    public static int shed(final Phase phase)
    {
        return SHED_BASE + phase.ordinal();
    }

    public static int errorCode(final int code)
    {
        return ERROR_CODE_BASE + (code & 0xFF);
    }
}
