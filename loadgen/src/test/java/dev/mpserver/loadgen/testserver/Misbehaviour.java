package dev.mpserver.loadgen.testserver;

/**
 * What {@link ProtocolTestServer} does wrong for a client, decided by the client's shard id, and
 * after how many correct replies.
 */
public record Misbehaviour(Kind kind, int afterReplies, int code)
{
    public enum Kind
    {
        /** Speak the protocol correctly. */
        NONE,
        /** Send bytes that are no frame, instead of the next reply. */
        GARBAGE,
        /** Read the next message, then close without answering (FIN). */
        CLOSE,
        /** Answer the next message with 'E' code, then close. */
        ERROR,
        /** Read the next message, then reset the connection (RST). */
        RESET,
        /** Read everything, answer nothing. */
        SILENT,
        /** Answer the next message with half a reply, then close. */
        PARTIAL_THEN_CLOSE,
        /** Answer the next message with an 'I' reply nobody asked for. */
        UNSOLICITED_IDENTIFY,
        /**
         * Before answering the next message, pass on broadcasts from another client of the shard: one
         * short, one longer than loadgen's input buffer, one of the largest size; then go on correctly.
         */
        BROADCASTS,
        /** Answer the next message with a 'B' that runs past the largest frame without its '\0'. */
        ENDLESS_BROADCAST
    }

    public static final Misbehaviour NONE = new Misbehaviour(Kind.NONE, 0, 0);

    public static Misbehaviour of(final Kind kind, final int afterReplies)
    {
        return new Misbehaviour(kind, afterReplies, 0);
    }

    public static Misbehaviour error(final int code, final int afterReplies)
    {
        return new Misbehaviour(Kind.ERROR, afterReplies, code);
    }
}
