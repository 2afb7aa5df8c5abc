package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/** Records every callback as a line of text; can stop the parser after every frame. */
final class RecordingServerHandler implements ServerReplyHandler
{
    final List<String> events = new ArrayList<>();
    private final boolean proceed;

    RecordingServerHandler()
    {
        this(true);
    }

    RecordingServerHandler(final boolean proceed)
    {
        this.proceed = proceed;
    }

    @Override
    public boolean onPing()
    {
        events.add("PING");
        return proceed;
    }

    @Override
    public boolean onIdentify(final int pid, final int slot, final int shardId, final int clientsOnShard)
    {
        events.add("I " + pid + " " + slot + " " + shardId + " " + clientsOnShard);
        return proceed;
    }

    @Override
    public boolean onBroadcast(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        events.add("B " + Bytes.show(buffer, bodyOffset, bodyLength));
        return proceed;
    }

    @Override
    public boolean onError(final int code, final DirectBuffer buffer, final int textOffset, final int textLength)
    {
        events.add("E " + code + " " + Bytes.show(buffer, textOffset, textLength));
        return proceed;
    }

    @Override
    public void onGarbage(final byte value)
    {
        events.add(String.format("GARBAGE 0x%02x", value & 0xFF));
    }
}
