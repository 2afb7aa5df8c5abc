package dev.mpserver.protocol.rtmp;

/**
 * RTMP message type ids (RTMP 1.0 spec sections 5.4 and 7.1).
 *
 * <pre>
 *   1 Set Chunk Size      protocol control, handled by the chunk layer      {@link ProtocolControl}
 *   2 Abort Message       protocol control, handled by the chunk layer
 *   3 Acknowledgement     protocol control
 *   4 User Control        stream events: StreamBegin, SetBufferLength, ping  {@link UserControl}
 *   5 Window Ack Size     protocol control
 *   6 Set Peer Bandwidth  protocol control
 *   8 Audio               FLV audio tag body                                 {@link AudioTag}
 *   9 Video               FLV video tag body                                 {@link VideoTag}
 *  15 AMF3 data           0x00, then an AMF0 data body
 *  16 AMF3 shared object  (not used by live streaming)
 *  17 AMF3 command        0x00, then an AMF0 command body                    {@link RtmpCommand}
 *  18 AMF0 data           @setDataFrame / onMetaData, |RtmpSampleAccess      {@link DataMessage}
 *  19 AMF0 shared object  (not used by live streaming)
 *  20 AMF0 command        connect, createStream, publish, play, _result, onStatus ...
 *  22 Aggregate           FLV tags, each followed by its previous-tag-size   {@link AggregateMessageReader}
 * </pre>
 */
public final class MessageType
{
    public static final int SET_CHUNK_SIZE = 1;
    public static final int ABORT = 2;
    public static final int ACKNOWLEDGEMENT = 3;
    public static final int USER_CONTROL = 4;
    public static final int WINDOW_ACK_SIZE = 5;
    public static final int SET_PEER_BANDWIDTH = 6;
    public static final int AUDIO = 8;
    public static final int VIDEO = 9;
    public static final int AMF3_DATA = 15;
    public static final int AMF3_SHARED_OBJECT = 16;
    public static final int AMF3_COMMAND = 17;
    public static final int AMF0_DATA = 18;
    public static final int AMF0_SHARED_OBJECT = 19;
    public static final int AMF0_COMMAND = 20;
    public static final int AGGREGATE = 22;

    /**
     * Types 15 and 17 carry an AMF0 body after this many bytes (a 0x00 format byte), as ffmpeg,
     * OBS and SRS send and read them.
     */
    public static final int AMF3_BODY_PREFIX_LENGTH = 1;

    private static final String[] NAMES = new String[AGGREGATE + 1];

    static
    {
        NAMES[SET_CHUNK_SIZE] = "SetChunkSize";
        NAMES[ABORT] = "Abort";
        NAMES[ACKNOWLEDGEMENT] = "Acknowledgement";
        NAMES[USER_CONTROL] = "UserControl";
        NAMES[WINDOW_ACK_SIZE] = "WindowAckSize";
        NAMES[SET_PEER_BANDWIDTH] = "SetPeerBandwidth";
        NAMES[AUDIO] = "Audio";
        NAMES[VIDEO] = "Video";
        NAMES[AMF3_DATA] = "AMF3Data";
        NAMES[AMF3_SHARED_OBJECT] = "AMF3SharedObject";
        NAMES[AMF3_COMMAND] = "AMF3Command";
        NAMES[AMF0_DATA] = "AMF0Data";
        NAMES[AMF0_SHARED_OBJECT] = "AMF0SharedObject";
        NAMES[AMF0_COMMAND] = "AMF0Command";
        NAMES[AGGREGATE] = "Aggregate";
    }

    private MessageType()
    {
    }

    /** @return true for the types the chunk layer and the session answer themselves (1..6). */
    public static boolean isProtocolControl(final int typeId)
    {
        return typeId >= SET_CHUNK_SIZE && typeId <= SET_PEER_BANDWIDTH;
    }

    /** @return true for command messages (20, and 17 whose body is AMF0 after one byte). */
    public static boolean isCommand(final int typeId)
    {
        return typeId == AMF0_COMMAND || typeId == AMF3_COMMAND;
    }

    /** @return true for data messages (18, and 15 whose body is AMF0 after one byte). */
    public static boolean isData(final int typeId)
    {
        return typeId == AMF0_DATA || typeId == AMF3_DATA;
    }

    /** @return where the AMF0 values of a command or data message start: 1 for types 15 and 17, else 0. */
    public static int amf0BodyOffset(final int typeId)
    {
        return typeId == AMF3_COMMAND || typeId == AMF3_DATA ? AMF3_BODY_PREFIX_LENGTH : 0;
    }

    /** @return a name for logs and errors; "type N" for unknown ids (allocates only then). */
    public static String name(final int typeId)
    {
        if (typeId >= 0 && typeId < NAMES.length && null != NAMES[typeId])
        {
            return NAMES[typeId];
        }
        return "type " + typeId;
    }
}
