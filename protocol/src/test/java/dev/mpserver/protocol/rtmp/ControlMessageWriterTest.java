package dev.mpserver.protocol.rtmp;

import dev.mpserver.protocol.rtmp.RecordingMessageHandler.Message;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlMessageWriterTest
{
    @Test
    void writesEveryControlMessageTheDecoderAndTheBodyReadersUnderstand()
    {
        final ChunkEncoder encoder = ChunkEncoder.compressing(128);
        final ControlMessageWriter control = new ControlMessageWriter(encoder);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        int length = 0;
        length += control.windowAckSize(out, length, 2_500_000);
        length += control.setPeerBandwidth(out, length, 2_500_000, ProtocolControl.LIMIT_DYNAMIC);
        length += control.userControl(out, length, UserControl.STREAM_BEGIN, 1);
        length += control.setBufferLength(out, length, 1, 3000);
        length += control.userControl(out, length, UserControl.PING_REQUEST, 0x12345678);
        length += control.acknowledgement(out, length, 0x1_0000_0005L);
        length += control.abort(out, length, 6);
        length += control.setChunkSize(out, length, 4096);
        assertEquals(4096, encoder.chunkSize(), "the encoder switches after writing the message");
        final UnsafeBuffer big = new UnsafeBuffer(ChunkBytes.payload(3000, 1));
        length += encoder.encode(out, length, 6, 0, MessageType.VIDEO, 1, big, 0, 3000);

        final ChunkDecoder decoder = new ChunkDecoder();
        final RecordingMessageHandler handler = new RecordingMessageHandler();
        assertEquals(length, decoder.decode(out, 0, length, handler));
        assertFalse(decoder.hasFailed(), decoder.failureReason());
        final List<Message> messages = handler.messages;
        assertEquals(9, messages.size());
        for (int i = 0; i < 8; i++)
        {
            assertEquals(ChunkHeader.PROTOCOL_CONTROL_CSID, messages.get(i).csid());
            assertEquals(0, messages.get(i).streamId());
        }

        assertEquals(2_500_000, ProtocolControl.windowSize(body(messages.get(0)), 0));
        assertEquals(ProtocolControl.LIMIT_DYNAMIC, ProtocolControl.limitType(body(messages.get(1)), 0));
        final UnsafeBuffer begin = body(messages.get(2));
        assertTrue(UserControl.isComplete(begin, 0, begin.capacity()));
        assertEquals(UserControl.STREAM_BEGIN, UserControl.eventType(begin, 0));
        assertEquals(1, UserControl.eventData(begin, 0));
        final UnsafeBuffer buffer = body(messages.get(3));
        assertEquals(UserControl.SET_BUFFER_LENGTH, UserControl.eventType(buffer, 0));
        assertEquals(3000, UserControl.bufferLength(buffer, 0));
        assertFalse(UserControl.isComplete(buffer, 0, UserControl.EVENT_LENGTH), "SetBufferLength needs 10 bytes");
        assertEquals(0x12345678, UserControl.eventData(body(messages.get(4)), 0));
        assertEquals(5L, ProtocolControl.sequenceNumber(body(messages.get(5)), 0), "sent modulo 2^32");
        assertEquals(6, ProtocolControl.abortedCsid(body(messages.get(6)), 0));
        assertEquals(4096, ProtocolControl.chunkSize(body(messages.get(7)), 0));
        assertEquals(4096, decoder.chunkSize());
        assertArrayEquals(ChunkBytes.payload(3000, 1), messages.get(8).payload());
    }

    private static UnsafeBuffer body(final Message message)
    {
        return new UnsafeBuffer(message.payload());
    }
}
