package dev.mpserver.protocol.rtmp;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RtmpCommandTest
{
    private final ExpandableArrayBuffer body = new ExpandableArrayBuffer();
    private final Amf0Writer writer = new Amf0Writer();
    private final Amf0Reader reader = new Amf0Reader();

    private RtmpCommand decode(final int length)
    {
        return RtmpCommand.decode(reader, body, 0, length, MessageType.AMF0_COMMAND);
    }

    @Test
    void decodesTheCommandsAPublisherSends()
    {
        int length = CommandWriter.publish(writer.wrap(body, 0), 5, "s1?vhost=v1", "live").length();
        final RtmpCommand publish = decode(length);
        assertEquals(CommandName.PUBLISH, publish.name());
        assertEquals(5, publish.transactionId());
        assertNull(publish.commandObject());
        assertEquals("s1?vhost=v1", publish.stringArgument(0));
        assertEquals("live", publish.stringArgument(1));
        assertNull(publish.stringArgument(2));

        length = CommandWriter.streamNameCommand(writer.wrap(body, 0), CommandName.RELEASE_STREAM, 2, "s1").length();
        assertEquals(List.of("s1"), decode(length).arguments());

        length = CommandWriter.play(writer.wrap(body, 0), 4, "s1", CommandWriter.PLAY_START_ANY).length();
        assertEquals(-2000, decode(length).numberArgument(1, 0));
    }

    @Test
    void decodesTheRepliesAClientWaitsFor()
    {
        int length = CommandWriter.connectResult(writer.wrap(body, 0), 1, 0, "Connection succeeded.").length();
        RtmpCommand result = decode(length);
        assertEquals(CommandName.RESULT, result.name());
        assertEquals(StatusCode.FMS_VERSION, result.commandObjectString("fmsVer"));
        assertEquals(StatusCode.CONNECT_SUCCESS, result.infoString("code"));
        assertEquals(0.0, ((Map<?, ?>)result.arguments().get(0)).get("objectEncoding"));

        length = CommandWriter.createStreamResult(writer.wrap(body, 0), 4, 1).length();
        result = decode(length);
        assertEquals(1, result.numberArgument(0, -1));

        length = CommandWriter.onStatus(writer.wrap(body, 0), StatusCode.LEVEL_STATUS, StatusCode.PLAY_START, "pid 42")
            .length();
        result = decode(length);
        assertEquals(CommandName.ON_STATUS, result.name());
        assertEquals(StatusCode.PLAY_START, result.infoString("code"));
        assertEquals("pid 42", result.infoString("description"));

        length = CommandWriter.error(writer.wrap(body, 0), 3, StatusCode.PUBLISH_BAD_NAME, "taken").length();
        assertEquals(StatusCode.LEVEL_ERROR, decode(length).infoString("level"));
    }

    @Test
    void decodesAmf3CommandsAfterTheirFormatByte()
    {
        body.putByte(0, (byte)0);
        final int length = 1 + CommandWriter.createStream(writer.wrap(body, 1), 3).length();
        final RtmpCommand command = RtmpCommand.decode(reader, body, 0, length, MessageType.AMF3_COMMAND);
        assertEquals(CommandName.CREATE_STREAM, command.name());
        assertTrue(RtmpCommand.isNamed(body, 0, length, MessageType.AMF3_COMMAND, CommandName.CREATE_STREAM));
        assertFalse(RtmpCommand.isNamed(body, 0, length, MessageType.AMF0_COMMAND, CommandName.CREATE_STREAM));
        assertFalse(RtmpCommand.isNamed(body, 0, 0, MessageType.AMF3_COMMAND, CommandName.CREATE_STREAM));
    }

    @Test
    void aMalformedCommandIsAnAmf0Exception()
    {
        final UnsafeBuffer notAString = new UnsafeBuffer(new byte[]{ 0x00, 0, 0 });
        assertThrows(Amf0Exception.class, () -> RtmpCommand.decode(reader, notAString, 0, 3, MessageType.AMF0_COMMAND));
        final UnsafeBuffer empty = new UnsafeBuffer(new byte[]{ 0 });
        assertThrows(Amf0Exception.class, () -> RtmpCommand.decode(reader, empty, 0, 1, MessageType.AMF3_COMMAND));
    }

    @Test
    void connectRequestToleratesAMissingCommandObject()
    {
        final int length = writer.wrap(body, 0).string(CommandName.CONNECT).number(1).nullValue().length();
        assertEquals(new ConnectRequest("", null, null, 0), ConnectRequest.of(decode(length)));
    }
}
