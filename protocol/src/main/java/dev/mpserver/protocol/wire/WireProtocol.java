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
 *
 * <h2>Frame layouts</h2>
 * Frames are byte streams, not aligned records: a frame starts wherever the previous one ended, so
 * the int32 fields sit at odd offsets. The rulers count bytes from the frame's type byte. Every
 * offset used by the codec is one of the constants below; nothing else computes one.
 *
 * <p>Control, client → server, {@link #CONTROL_FRAME_LENGTH} bytes:
 * <pre>
 *   0       1                               5
 *   +-------+-------------------------------+
 *   |  'C'  |      shard id: int32 LE       |
 *   +-------+-------------------------------+
 *   ^ TYPE_OFFSET (0 in every frame)
 *           ^ CONTROL_SHARD_ID_OFFSET
 * </pre>
 *
 * <p>Identify request, client → server, {@link #IDENTIFY_FRAME_LENGTH} byte:
 * <pre>
 *   0       1
 *   +-------+
 *   |  'I'  |
 *   +-------+
 * </pre>
 *
 * <p>Message and broadcast, client → server; broadcast also server → client (the sender's frame,
 * byte for byte). {@link #MIN_DELIMITED_FRAME_LENGTH} to {@link #MAX_FRAME_LENGTH} bytes, the body
 * holds no {@code '\0'}:
 * <pre>
 *   0       1                               n+1     n+2
 *   +-------+-------------------------------+-------+
 *   |'M'/'B'|     body: n bytes, no '\0'    |  '\0' |
 *   +-------+-------------------------------+-------+
 *           ^ BODY_OFFSET                    n ≤ MAX_BODY_LENGTH
 * </pre>
 *
 * <p>Ping reply, server → client, once per 'M', {@link #PING_REPLY_LENGTH} bytes: the fixed
 * {@link #PING_REPLY} {@code "hello, server ping!\0"}, recognised by its first byte {@code 'h'}.
 *
 * <p>Identify reply, server → client, {@link #IDENTIFY_REPLY_LENGTH} bytes:
 * <pre>
 *   0       1       5       9       13      17
 *   +-------+-------+-------+-------+-------+
 *   |  'I'  |  pid  | slot  | shard |clients|   each an int32 LE
 *   +-------+-------+-------+-------+-------+
 *           ^ IDENTIFY_PID_OFFSET, then _SLOT_, _SHARD_, _CLIENTS_OFFSET
 * </pre>
 *
 * <p>Error, server → client, then the server closes; {@link #MIN_ERROR_FRAME_LENGTH} to
 * {@link #MAX_ERROR_FRAME_LENGTH} bytes, text is ASCII without {@code '\0'}:
 * <pre>
 *   0       1       2                       t+2     t+3
 *   +-------+-------+-----------------------+-------+
 *   |  'E'  | code  |  text: t bytes ASCII  |  '\0' |
 *   +-------+-------+-----------------------+-------+
 *           ^ ERROR_CODE_OFFSET              t ≤ MAX_ERROR_TEXT_LENGTH
 *                   ^ ERROR_TEXT_OFFSET
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

    /** Every frame, in both directions, starts with its type byte. */
    public static final int TYPE_OFFSET = 0;
    public static final int TYPE_LENGTH = Byte.BYTES;

    /** The prototype client's whole message, {@code 'M'} and {@link #PROTOTYPE_PING} (23 bytes). */
    public static final int PROTOTYPE_PING_FRAME_LENGTH = TYPE_LENGTH + PROTOTYPE_PING.length;

    /** The {@code '\0'} that ends 'M', 'B', 'E' and the ping reply. */
    public static final int TERMINATOR_LENGTH = Byte.BYTES;

    public static final int CONTROL_SHARD_ID_OFFSET = TYPE_OFFSET + TYPE_LENGTH;

    /** The identify request is its type byte alone. */
    public static final int IDENTIFY_FRAME_LENGTH = TYPE_LENGTH;

    /** Start of the body of an 'M' or 'B' frame. */
    public static final int BODY_OFFSET = TYPE_OFFSET + TYPE_LENGTH;

    /** An empty 'M' or 'B': {@code "M\0"}. */
    public static final int MIN_DELIMITED_FRAME_LENGTH = BODY_OFFSET + TERMINATOR_LENGTH;

    /** Longest body that keeps an 'M' or 'B' frame within {@link #MAX_FRAME_LENGTH}. */
    public static final int MAX_BODY_LENGTH = MAX_FRAME_LENGTH - BODY_OFFSET - TERMINATOR_LENGTH;

    public static final int IDENTIFY_PID_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    public static final int IDENTIFY_SLOT_OFFSET = IDENTIFY_PID_OFFSET + Integer.BYTES;
    public static final int IDENTIFY_SHARD_OFFSET = IDENTIFY_SLOT_OFFSET + Integer.BYTES;
    public static final int IDENTIFY_CLIENTS_OFFSET = IDENTIFY_SHARD_OFFSET + Integer.BYTES;

    public static final int PING_REPLY_LENGTH = PING_REPLY.length;

    public static final int ERROR_CODE_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    public static final int ERROR_TEXT_OFFSET = ERROR_CODE_OFFSET + Byte.BYTES;

    /** An error with no text: {@code 'E' code '\0'}. */
    public static final int MIN_ERROR_FRAME_LENGTH = ERROR_TEXT_OFFSET + TERMINATOR_LENGTH;

    /**
     * Longest error frame the server sends and the client accepts. Small and fixed so that a worker
     * can always reserve room for the last frame a failing client gets.
     */
    public static final int MAX_ERROR_FRAME_LENGTH = 256;

    public static final int MAX_ERROR_TEXT_LENGTH = MAX_ERROR_FRAME_LENGTH - ERROR_TEXT_OFFSET - TERMINATOR_LENGTH;

    private WireProtocol()
    {
    }
}
