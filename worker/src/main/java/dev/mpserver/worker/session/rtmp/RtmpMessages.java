package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.rtmp.Amf0Exception;
import dev.mpserver.protocol.rtmp.Amf0Reader;
import dev.mpserver.protocol.rtmp.ChunkDecoder;
import dev.mpserver.protocol.rtmp.MessageHandler;
import dev.mpserver.protocol.rtmp.MessageType;
import dev.mpserver.protocol.rtmp.ProtocolControl;
import dev.mpserver.protocol.rtmp.RtmpCommand;
import dev.mpserver.protocol.rtmp.UserControl;
import dev.mpserver.worker.client.ClientTable;
import org.agrona.DirectBuffer;

/**
 * Each whole message of a session's chunk stream to where it belongs: the client's Window Ack Size
 * and pings to the session, commands to {@link RtmpCommands}, a publisher's media and data to the
 * {@link LiveRelay}; acknowledgements, peer bandwidth and shared objects need nothing. Decoding
 * stops right after a message that ends the client or needs it routed ({@link #action()}), so the
 * bytes behind it stay unconsumed: they travel with the session if it moves.
 */
final class RtmpMessages implements MessageHandler
{
    private final RtmpSlots slots;
    private final RtmpOutput output;
    private final LiveStreams streams;
    private final LiveRelay relay;
    private final RtmpCommands commands;
    private final Amf0Reader reader = new Amf0Reader();

    /** The client whose messages are being decoded, and what its last message asks of the session. */
    private int current = ClientTable.NONE;
    private int action;
    private RtmpCommand routedCommand;
    private int routedStreamId;

    RtmpMessages(
        final RtmpSlots slots, final RtmpOutput output, final LiveStreams streams, final LiveRelay relay, final RtmpCommands commands)
    {
        this.slots = slots;
        this.output = output;
        this.streams = streams;
        this.relay = relay;
        this.commands = commands;
    }

    /**
     * Decodes the client's chunk stream as far as it goes, or up to a message that ends or routes it.
     *
     * @return bytes consumed; then {@link #action()} says whether to go on
     */
    int decode(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        final ChunkDecoder decoder = slots.decoder(slot);
        action = RtmpCommands.CONTINUE;
        current = slot;
        final int used = decoder.decode(buffer, offset, length, this);
        current = ClientTable.NONE;
        if (decoder.hasFailed())
        {
            slots.failure(slot, decoder.failureReason());
            action = RtmpCommands.END;
        }
        return used;
    }

    /** {@link RtmpCommands#CONTINUE}, {@link RtmpCommands#ROUTE} or {@link RtmpCommands#END}, for the last decode. */
    int action()
    {
        return action;
    }

    /** The client was routed and stays: the command that asked for it runs again, and now proceeds. */
    int resumeRoutedCommand(final int slot)
    {
        final RtmpCommand command = routedCommand;
        routedCommand = null;
        action = commands.onCommand(slot, command, routedStreamId);
        if (action == RtmpCommands.ROUTE)
        {
            slots.failure(slot, "routing did not settle on a shard");
            action = RtmpCommands.END;
        }
        return action;
    }

    @Override
    public boolean onMessage(
        final int csid, final int timestamp, final int typeId, final int messageStreamId, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final int slot = current;
        switch (typeId)
        {
            case MessageType.WINDOW_ACK_SIZE:
                if (length >= ProtocolControl.WINDOW_ACK_SIZE_LENGTH)
                {
                    slots.peerWindow(slot, ProtocolControl.windowSize(buffer, offset));
                }
                return true;
            case MessageType.USER_CONTROL:
                if (UserControl.isComplete(buffer, offset, length) && UserControl.eventType(buffer, offset) == UserControl.PING_REQUEST)
                {
                    output.userControl(slot, UserControl.PING_RESPONSE, UserControl.eventData(buffer, offset));
                }
                return true;
            case MessageType.AMF0_COMMAND:
            case MessageType.AMF3_COMMAND:
                return command(slot, typeId, messageStreamId, buffer, offset, length);
            case MessageType.AUDIO:
            case MessageType.VIDEO:
            case MessageType.AMF0_DATA:
            case MessageType.AMF3_DATA:
            case MessageType.AGGREGATE:
                if (streams.role(slot) == LiveStreams.PUBLISHER &&
                    !relay.onMessage(streams.streamOf(slot), typeId, timestamp, buffer, offset, length))
                {
                    slots.failure(slot, "malformed aggregate message");
                    action = RtmpCommands.END;
                    return false;
                }
                return true;
            default:
                return true; // acknowledgements, peer bandwidth, shared objects: nothing to do
        }
    }

    private boolean command(
        final int slot, final int typeId, final int messageStreamId, final DirectBuffer buffer, final int offset, final int length)
    {
        final RtmpCommand command;
        try
        {
            command = RtmpCommand.decode(reader, buffer, offset, length, typeId);
        }
        catch (final Amf0Exception ex)
        {
            slots.failure(slot, "malformed command: " + ex.getMessage());
            action = RtmpCommands.END;
            return false;
        }
        action = commands.onCommand(slot, command, messageStreamId);
        if (action == RtmpCommands.ROUTE)
        {
            routedCommand = command;
            routedStreamId = messageStreamId;
        }
        return action == RtmpCommands.CONTINUE;
    }
}
