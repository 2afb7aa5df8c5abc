package dev.mpserver.worker.session;

import dev.mpserver.protocol.wire.ErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One protocol a worker speaks: the seam between the worker, which moves bytes, routes clients
 * and ends them, and what the bytes mean. A new connection's first bytes choose its protocol
 * ({@link #recognises}); from then on the protocol's session decides the client's shard key
 * ({@link ClientSessions#route}) and serves the client. A protocol keeps its per-client state in
 * arrays indexed by the client's slot, so a session allocates nothing per client.
 *
 * <pre>
 *   accepted here ── open(slot) ──┐
 *                                 ├─▶ onInput(...)* ── route(slot, shard) ─┬─ served here: onInput(...)* ... close(slot)
 *   handed over ── resume(slot, shard, state) ─▶ onInput(...)*              └─ handed off: exportState(...), close(slot)
 * </pre>
 *
 * A hand-off's payload is this protocol's {@link #id} followed by what {@link #exportState} wrote;
 * the master forwards it unopened. An empty payload means the {@code 'C'} protocol, whose clients
 * carry no state.
 */
public interface SessionProtocol
{
    /** {@link #onInput}'s answer when the session ended the client: handed off, refused or closed. */
    int ENDED = -1;

    /** The protocol's tag, the first byte of its hand-off payloads; never 0. */
    byte id();

    /** For logs and counters. */
    String name();

    /**
     * True if a new shard of this protocol gathers its clients after its first one, so that it is
     * spread by shards with clients as well as by clients ({@code SharedShardTable.mayClaim}): an
     * RTMP vhost is named by its publisher's {@code connect}, and its players come later. False
     * where a shard says nothing of what follows (the {@code 'C'} protocol's).
     */
    default boolean spreadsNewShards()
    {
        return false;
    }

    /** True if a connection whose first byte is {@code firstByte} speaks this protocol. */
    boolean recognises(byte firstByte);

    /**
     * Most bytes the worker may read for the client now. Before routing, a protocol whose state
     * does not travel with the client must not let the worker read past its routing key: the rest
     * of the stream belongs to the worker that will serve it.
     */
    int readLimit(int slot);

    /** A client accepted here takes {@code slot}; its bytes follow through {@link #onInput}. */
    void open(int slot);

    /**
     * A client handed over by the master, already routed to {@code shardId} here, with the state
     * {@link #exportState} wrote on the worker it comes from.
     *
     * @return false if the state is not one this protocol could have written: the client is refused
     */
    boolean resume(int slot, int shardId, DirectBuffer state, int offset, int length);

    /**
     * The client's unconsumed input: parse, answer, route. Bytes not consumed are offered again,
     * followed by what arrives next.
     *
     * @param peerClosed the client will send nothing more
     * @return bytes consumed, or {@link #ENDED} if the client is gone from this worker
     */
    int onInput(int slot, DirectBuffer buffer, int offset, int length, boolean peerClosed);

    /**
     * Writes what another worker needs to {@link #resume} the client, after the id byte.
     *
     * @return bytes written, or -1 if they do not fit in {@code maxLength} (the client is refused)
     */
    int exportState(int slot, MutableDirectBuffer into, int offset, int maxLength);

    /** Appends the protocol's way of saying "refused, and why" to the client's output. */
    void writeRefusal(int slot, ErrorCode code);

    /** The client left this worker (closed, lingering or handed off): forget its state. */
    void close(int slot);
}
