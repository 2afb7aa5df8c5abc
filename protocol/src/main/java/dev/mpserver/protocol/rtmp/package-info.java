/**
 * RTMP wire codecs shared by the worker's RTMP session and {@code loadgen rtmp}: handshake, chunk
 * stream, protocol and user control, AMF0, commands, stream key and FLV facts. No sockets, no
 * threads, no session state machine: bytes in, messages out, and back. Incremental (bytes may
 * arrive in any pieces), allocation-free on the media path, bounded on bad input.
 *
 * <h2>Which class does what</h2>
 * <pre>
 * Handshake            layouts (C0/C1/C2, S0/S1/S2) and why the simple handshake is enough
 * ServerHandshake      C0+C1 in → S0+S1+S2 out (S1 time 0, version 0, random; S2 = C1), C2 consumed
 * ClientHandshake      C0+C1 out; S0+S1 in → C2 (= S1) out; S2 consumed
 * ChunkHeader          chunk header layouts: basic header (csid 2..65599), fmt 0-3, extended timestamp
 * ChunkHeaderReader    one chunk header applied to its ChunkStream (fmt 1-3 fill-in, extended timestamp
 *                      repeated or not); the header rules of every chunk reader, loadgen's skimming one too
 * ChunkStreams, ChunkStream   a connection's incoming chunk streams (bounded), each one's last header and buffer
 * ChunkDecoder         chunks → whole messages for a MessageHandler; Set Chunk Size and Abort applied;
 *                      limits: message length, chunk streams, assembly bytes; bytesReceived() for acks
 * MessageHandler       (csid, timestamp, typeId, messageStreamId, buffer, offset, length) → go on?
 * ChunkEncoder         messages → chunks; compressing (fmt 1/2/3 per csid) or stateless (fmt 0 + fmt 3)
 * MessageType          type ids 1..22 and which are commands/data (15/17 = AMF0 after one 0x00)
 * ProtocolControl      bodies of Set Chunk Size, Abort, Acknowledgement, Window Ack Size, Set Peer Bandwidth
 * UserControl          bodies of StreamBegin/EOF/Dry, SetBufferLength, StreamIsRecorded, PingRequest/Response
 * ControlMessageWriter writes those as whole messages on csid 2 (Set Chunk Size switches the encoder after)
 * AggregateMessageReader  iterates the FLV tags of a type 22 message with their RTMP timestamps
 * Amf0, Amf0Reader, Amf0Writer, Amf0Exception, Amf0Date, Amf0TypedObject   AMF0 values
 * RtmpCommand          a decoded command: name, transaction id, command object, arguments
 * CommandName, StatusCode   the names and onStatus codes ffmpeg/OBS/nginx-rtmp/SRS use
 * CommandWriter        common replies (_result, onStatus, _error ...) and client requests, straight to a buffer
 * ConnectRequest       app, tcUrl, flashVer, objectEncoding of a connect
 * RtmpUrl, StreamKey   vhost/app/stream as SRS resolves them; shard key vhost[/app[/stream]]
 * ShardBy, ShardHash   --shard-by granularity; FNV-1a 32 of the key's UTF-8 → stable int shard id
 * VideoTag, AudioTag, DataMessage   keyframe / sequence header / metadata tests (legacy and enhanced RTMP)
 * </pre>
 *
 * <h2>How a session drives them (server side)</h2>
 * One {@link dev.mpserver.protocol.rtmp.ServerHandshake}, one
 * {@link dev.mpserver.protocol.rtmp.ChunkDecoder} (incoming), one compressing
 * {@link dev.mpserver.protocol.rtmp.ChunkEncoder} with a
 * {@link dev.mpserver.protocol.rtmp.ControlMessageWriter} (outgoing), an
 * {@link dev.mpserver.protocol.rtmp.Amf0Reader} and an {@link dev.mpserver.protocol.rtmp.Amf0Writer}
 * per connection (a worker keeps them per client slot and reuses them: {@code reset()},
 * {@code forgetAll()}). Every parser here follows the module's rule: it returns the bytes it
 * consumed, and the caller keeps the rest and passes them again with what arrives next (in place or
 * moved), which is the worker's {@code SessionProtocol.onInput} contract.
 * <pre>{@code
 * on readable (onInput):
 *   read into in[end..]
 *   while (start < end):
 *     if (!handshake.isComplete()):
 *       n = handshake.receive(in, start, end - start, out, outEnd);  outEnd += handshake.answerLength();
 *       if (handshake.hasFailed()) -> close (reason: handshake.failureReason())
 *     else:
 *       n = decoder.decode(in, start, end - start, this);             // calls onMessage per message
 *       if (decoder.hasFailed()) -> count, close (reason: decoder.failureReason())
 *     if (n == 0) break;  start += n
 *   keep in[start..end) for the next read; if received - lastAck >= peer's window: control.acknowledgement(...)
 *
 * onMessage(csid, timestamp, typeId, streamId, buffer, offset, length):
 *   1, 2        already applied by the decoder (chunk size, abort); count or ignore
 *   5           the peer's window: acknowledge every that many bytes (3073 handshake bytes + decoder.bytesReceived())
 *   4           UserControl: PingRequest -> control.userControl(out, ..., PING_RESPONSE, data); SetBufferLength
 *   20, 17      cmd = RtmpCommand.decode(reader, buffer, offset, length, typeId)   (catch Amf0Exception -> close)
 *               connect: ConnectRequest.of(cmd); StreamKey.resolve(request, null) -> shard id, hand off or answer:
 *                 control.windowAckSize, control.setPeerBandwidth(.., LIMIT_DYNAMIC), control.setChunkSize(4096),
 *                 CommandWriter.connectResult(...) -> encoder.encode(out, .., csid 3, 0, 20, 0, body, 0, len)
 *               releaseStream/FCPublish -> CommandWriter.result / onFcPublish; createStream -> createStreamResult(.., 1)
 *               publish/play (on stream 1) -> StreamKey.resolve(request, name); StreamBegin; onStatus ...
 *   18, 15      DataMessage.metaDataOffset(...) >= 0: keep bytes [at, end) as the stream's metadata
 *   8, 9        media: AudioTag/VideoTag.isSequenceHeader -> keep; VideoTag.isKeyFrame -> start of a GOP
 *   22          AggregateMessageReader: each sub-message as an 8/9/18 message
 *   return false to stop right after this message (output full, hand-off): the rest stays unconsumed
 * }</pre>
 * The payload region handed to onMessage is only valid during the call (a view of {@code in} for a
 * message that arrived in one chunk, else of the chunk stream's reused assembly buffer): copy what
 * must outlive it. A client ({@code loadgen rtmp}) is the mirror: {@link
 * dev.mpserver.protocol.rtmp.ClientHandshake#writeRequest}, then receive; {@link
 * dev.mpserver.protocol.rtmp.CommandWriter#connect} etc.; the replies decode with {@link
 * dev.mpserver.protocol.rtmp.RtmpCommand#decode} ({@code infoString("code")} of onStatus).
 *
 * <h2>How a relay shares chunked bytes</h2>
 * A {@link dev.mpserver.protocol.rtmp.ChunkEncoder#stateless stateless} encoder writes a message as
 * a fmt 0 chunk and fmt 3 continuations whose bytes depend only on (chunk size, csid, timestamp,
 * type, message stream id, payload). So the live relay chunks each media message <b>once</b> when
 * the publisher's message arrives ({@link dev.mpserver.protocol.rtmp.ChunkEncoder#encodedLength}
 * says how many bytes to reserve) and copies those bytes to every player, provided all players
 * share the outgoing chunk size (announce the same Set Chunk Size to everyone at connect), the
 * message stream id (answer createStream with the same id) and the csids (e.g. 4 audio, 5 data,
 * 6 video). The GOP cache can hold the chunked bytes rather than the messages. Each player's own
 * messages (control on csid 2, commands on csid 3) go through its compressing encoder on other
 * csids; an encoder that must write on a csid that carried shared bytes calls {@code forget(csid)}.
 * Players see the publisher's timestamps (ffmpeg starts from any timestamp); rebasing them per
 * player would make the bytes per player. The ffmpeg interop test ({@code FfmpegInteropTest},
 * {@code TestRtmpServer}) does exactly this for two ffmpeg players.
 *
 * <h2>Shard key</h2>
 * {@code StreamKey.resolve(connectRequest, streamNameOrNull).shardId(ShardBy.VHOST)}: the vhost is
 * known at connect unless the stream name carries {@code ?vhost=} (then only at publish/play);
 * {@link dev.mpserver.protocol.rtmp.ShardHash} is FNV-1a 32 of the UTF-8 key, the same on every
 * JVM and run.
 */
package dev.mpserver.protocol.rtmp;
