package dev.mpserver.protocol.rtmp;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Keeps every message a decoder delivers (a copy of its payload); can stop the decoder after each one. */
final class RecordingMessageHandler implements MessageHandler
{
    record Message(int csid, int timestamp, int typeId, int streamId, byte[] payload)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Message m && m.csid == csid && m.timestamp == timestamp && m.typeId == typeId &&
                m.streamId == streamId && Arrays.equals(m.payload, payload);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(payload) * 31 + csid;
        }

        @Override
        public String toString()
        {
            return "csid=" + csid + " ts=" + Integer.toUnsignedString(timestamp) + " type=" + typeId +
                " sid=" + streamId + " len=" + payload.length;
        }
    }

    final List<Message> messages = new ArrayList<>();
    private final boolean proceed;

    RecordingMessageHandler()
    {
        this(true);
    }

    RecordingMessageHandler(final boolean proceed)
    {
        this.proceed = proceed;
    }

    @Override
    public boolean onMessage(
        final int csid,
        final int timestamp,
        final int typeId,
        final int messageStreamId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(offset, payload);
        messages.add(new Message(csid, timestamp, typeId, messageStreamId, payload));
        return proceed;
    }

    static Message message(final int csid, final int timestamp, final int typeId, final int streamId, final byte[] payload)
    {
        return new Message(csid, timestamp, typeId, streamId, payload);
    }
}
