package dev.mpserver.protocol.wire;

import java.nio.charset.StandardCharsets;

/**
 * The client wire protocol: frame type bytes, error codes and the fixed replies. All integers are
 * little-endian (the prototype used native order, which is the same bytes on x86-64).
 *
 * <pre>
 * client → server                         server → client
 * 'C' int32 id            (5 bytes)       nothing; routes the connection to shard id (first frame only)
 * 'M' bytes… '\0'         (≤ 64 KiB)      "hello, server ping!\0" (20 bytes), once per message
 * 'I'                     (1 byte)        'I' pid:int32 slot:int32 shard:int32 clients:int32 (17 bytes)
 * 'B' bytes… '\0'         (≤ 64 KiB)      to every other client of the shard: the same 'B' frame
 * anything else                           'E' code:int8 text… '\0', then close
 * </pre>
 */
public final class WireProtocol
{
    public static final byte CONTROL = 'C';
    public static final byte MESSAGE = 'M';
    public static final byte IDENTIFY = 'I';
    public static final byte BROADCAST = 'B';
    public static final byte ERROR = 'E';
    public static final byte TERMINATOR = 0;

    /** 'C' + int32 shard id. */
    public static final int CONTROL_FRAME_LENGTH = 1 + Integer.BYTES;

    /** Largest 'M' or 'B' frame, type byte and terminator included. */
    public static final int MAX_FRAME_LENGTH = 64 * 1024;

    /** 'I' + pid + slot + shard + clients-on-shard. */
    public static final int IDENTIFY_REPLY_LENGTH = 1 + 4 * Integer.BYTES;

    /** The prototype's reply to every 'M', terminator included (20 bytes). */
    public static final byte[] PING_REPLY = "hello, server ping!\0".getBytes(StandardCharsets.US_ASCII);

    /** The prototype client's message body, terminator included (22 bytes after the 'M'). */
    public static final byte[] PROTOTYPE_PING = "client, ping message!\0".getBytes(StandardCharsets.US_ASCII);

    /** Shard id of a connection that has not (yet) sent 'C'. */
    public static final int NO_SHARD = -1;

    private WireProtocol()
    {
    }
}
