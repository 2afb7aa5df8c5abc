package dev.mpserver.protocol.rtmp;

/**
 * Writes the bodies of the commands and data messages a live server and its clients send, straight
 * into an {@link Amf0Writer}'s buffer (no maps). The caller wraps the writer, calls one of these,
 * and chunks {@code writer.length()} bytes with a {@link ChunkEncoder} as type
 * {@link MessageType#AMF0_COMMAND} (or {@link MessageType#AMF0_DATA} for the data messages).
 *
 * <p>The server replies follow what ffmpeg waits for ({@code rtmpproto.c}): {@code _result} to
 * connect with an info object of code NetConnection.Connect.Success, {@code _result} with the
 * stream id to createStream, {@code onStatus} NetStream.Publish.Start to publish and
 * NetStream.Play.Start to play (a player waits for it before reading media).
 */
public final class CommandWriter
{
    /** The transaction id of unsolicited messages (onStatus, onBWDone). */
    public static final double NO_TRANSACTION = 0;

    /** What ffmpeg and OBS send as the play start argument: -2 = live or recorded, whichever exists. */
    public static final double PLAY_START_ANY = -2000;

    private CommandWriter()
    {
    }

    // ---- server → client ----

    /**
     * {@code _result} to connect: {fmsVer, capabilities} and {level status, code
     * NetConnection.Connect.Success, description, objectEncoding}.
     */
    public static Amf0Writer connectResult(
        final Amf0Writer writer, final double transactionId, final double objectEncoding, final CharSequence description)
    {
        return writer.string(CommandName.RESULT).number(transactionId)
            .objectStart()
            .property("fmsVer", StatusCode.FMS_VERSION)
            .property("capabilities", StatusCode.FMS_CAPABILITIES)
            .objectEnd()
            .objectStart()
            .property("level", StatusCode.LEVEL_STATUS)
            .property("code", StatusCode.CONNECT_SUCCESS)
            .property("description", description)
            .property("objectEncoding", objectEncoding)
            .objectEnd();
    }

    /** {@code _result} with a null command object and nothing else (releaseStream, FCPublish, deleteStream). */
    public static Amf0Writer result(final Amf0Writer writer, final double transactionId)
    {
        return writer.string(CommandName.RESULT).number(transactionId).nullValue();
    }

    /** {@code _result} to createStream: null, then the new message stream id. */
    public static Amf0Writer createStreamResult(final Amf0Writer writer, final double transactionId, final int streamId)
    {
        return result(writer, transactionId).number(streamId);
    }

    /** {@code _result} to getStreamLength: null, then the length in seconds (0 for a live stream). */
    public static Amf0Writer streamLengthResult(final Amf0Writer writer, final double transactionId, final double seconds)
    {
        return result(writer, transactionId).number(seconds);
    }

    /** {@code _error}: null, then {level error, code, description}. */
    public static Amf0Writer error(
        final Amf0Writer writer, final double transactionId, final CharSequence code, final CharSequence description)
    {
        return writer.string(CommandName.ERROR).number(transactionId).nullValue()
            .objectStart()
            .property("level", StatusCode.LEVEL_ERROR)
            .property("code", code)
            .property("description", description)
            .objectEnd();
    }

    /** {@code onStatus} on a stream: 0, null, {level, code, description}. */
    public static Amf0Writer onStatus(
        final Amf0Writer writer, final CharSequence level, final CharSequence code, final CharSequence description)
    {
        return onStatusOpen(writer, level, code, description).objectEnd();
    }

    /**
     * {@code onStatus} with its info object left open, for more properties (details, clientid);
     * the caller ends it with {@link Amf0Writer#objectEnd()}.
     */
    public static Amf0Writer onStatusOpen(
        final Amf0Writer writer, final CharSequence level, final CharSequence code, final CharSequence description)
    {
        return writer.string(CommandName.ON_STATUS).number(NO_TRANSACTION).nullValue()
            .objectStart()
            .property("level", level)
            .property("code", code)
            .property("description", description);
    }

    /** {@code onFCPublish}, what nginx-rtmp answers to FCPublish: {code NetStream.Publish.Start, description: name}. */
    public static Amf0Writer onFcPublish(final Amf0Writer writer, final CharSequence streamName)
    {
        return writer.string(CommandName.ON_FC_PUBLISH).number(NO_TRANSACTION).nullValue()
            .objectStart()
            .property("code", StatusCode.PUBLISH_START)
            .property("description", streamName)
            .objectEnd();
    }

    /** {@code onBWDone}, which FMS sends after connect (ffmpeg answers with _checkbw). */
    public static Amf0Writer onBandwidthDone(final Amf0Writer writer)
    {
        return writer.string(CommandName.ON_BW_DONE).number(NO_TRANSACTION).nullValue();
    }

    /** Data message {@code |RtmpSampleAccess(false, false)} that servers send before a player's media. */
    public static Amf0Writer sampleAccess(final Amf0Writer writer)
    {
        return writer.string(CommandName.SAMPLE_ACCESS).bool(false).bool(false);
    }

    /**
     * Data message {@code onMetaData} and the start of its ECMA array; the caller writes the
     * properties and {@link Amf0Writer#objectEnd()}.
     */
    public static Amf0Writer onMetaDataOpen(final Amf0Writer writer, final int propertyCount)
    {
        return writer.string(CommandName.ON_METADATA).ecmaArrayStart(propertyCount);
    }

    // ---- client → server ----

    /**
     * {@code connect} as ffmpeg sends it: {app, type nonprivate (publishers), flashVer, tcUrl} and,
     * for players, fpad/capabilities/audioCodecs/videoCodecs/videoFunction.
     */
    public static Amf0Writer connect(
        final Amf0Writer writer,
        final double transactionId,
        final CharSequence app,
        final CharSequence tcUrl,
        final CharSequence flashVer,
        final boolean player)
    {
        writer.string(CommandName.CONNECT).number(transactionId).objectStart().property("app", app);
        if (!player)
        {
            writer.property("type", "nonprivate");
        }
        writer.property("flashVer", flashVer).property("tcUrl", tcUrl);
        if (player)
        {
            writer.property("fpad", false)
                .property("capabilities", 15)
                .property("audioCodecs", 4071)
                .property("videoCodecs", 252)
                .property("videoFunction", 1);
        }
        return writer.objectEnd();
    }

    /** A NetConnection command whose only argument is a stream name: releaseStream, FCPublish, FCUnpublish. */
    public static Amf0Writer streamNameCommand(
        final Amf0Writer writer, final CharSequence command, final double transactionId, final CharSequence streamName)
    {
        return writer.string(command).number(transactionId).nullValue().string(streamName);
    }

    public static Amf0Writer createStream(final Amf0Writer writer, final double transactionId)
    {
        return writer.string(CommandName.CREATE_STREAM).number(transactionId).nullValue();
    }

    /** {@code publish(name, type)}, sent on the stream createStream returned; type "live" for live. */
    public static Amf0Writer publish(
        final Amf0Writer writer, final double transactionId, final CharSequence streamName, final CharSequence type)
    {
        return writer.string(CommandName.PUBLISH).number(transactionId).nullValue().string(streamName).string(type);
    }

    /** {@code play(name, start)}, sent on the stream createStream returned; start {@link #PLAY_START_ANY} as ffmpeg. */
    public static Amf0Writer play(
        final Amf0Writer writer, final double transactionId, final CharSequence streamName, final double start)
    {
        return writer.string(CommandName.PLAY).number(transactionId).nullValue().string(streamName).number(start);
    }

    public static Amf0Writer deleteStream(final Amf0Writer writer, final double transactionId, final int streamId)
    {
        return writer.string(CommandName.DELETE_STREAM).number(transactionId).nullValue().number(streamId);
    }

    /**
     * Data message {@code @setDataFrame("onMetaData", {...})} as a publisher sends metadata; the
     * caller writes the properties and {@link Amf0Writer#objectEnd()}.
     */
    public static Amf0Writer setDataFrameOpen(final Amf0Writer writer, final int propertyCount)
    {
        return writer.string(CommandName.SET_DATA_FRAME).string(CommandName.ON_METADATA).ecmaArrayStart(propertyCount);
    }
}
