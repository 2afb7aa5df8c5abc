package dev.mpserver.protocol.wire;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/** Records every callback as a line of text; can stop the parser after every frame. */
final class RecordingClientHandler implements ClientFrameHandler
{
    final List<String> events = new ArrayList<>();
    private final boolean proceed;

    RecordingClientHandler()
    {
        this(true);
    }

    RecordingClientHandler(final boolean proceed)
    {
        this.proceed = proceed;
    }

    @Override
    public boolean onControl(final int shardId)
    {
        events.add("C " + shardId);
        return proceed;
    }

    @Override
    public boolean onMessage(final DirectBuffer buffer, final int bodyOffset, final int bodyLength)
    {
        events.add("M " + Bytes.show(buffer, bodyOffset, bodyLength));
        return proceed;
    }

    @Override
    public boolean onIdentify()
    {
        events.add("I");
        return proceed;
    }

    @Override
    public boolean onBroadcast(final DirectBuffer buffer, final int frameOffset, final int frameLength)
    {
        events.add("B " + Bytes.show(buffer, frameOffset, frameLength));
        return proceed;
    }

    @Override
    public void onError(final ErrorCode code, final String reason)
    {
        events.add("E " + code + " " + reason);
    }
}
