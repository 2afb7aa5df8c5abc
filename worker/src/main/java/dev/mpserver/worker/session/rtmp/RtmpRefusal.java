package dev.mpserver.worker.session.rtmp;

import dev.mpserver.protocol.rtmp.CommandWriter;
import dev.mpserver.protocol.rtmp.StatusCode;
import dev.mpserver.protocol.wire.ErrorCode;

/**
 * The RTMP way of telling a client why it is ended, once: {@code _error} to a connect not answered
 * yet, else {@code onStatus} at level error, whose description says why (ffmpeg prints it as
 * "Server error: ..."). Nothing during the handshake: there is no chunk stream to speak in yet.
 */
final class RtmpRefusal
{
    private final RtmpSlots slots;
    private final RtmpOutput output;

    RtmpRefusal(final RtmpSlots slots, final RtmpOutput output)
    {
        this.slots = slots;
        this.output = output;
    }

    void write(final int slot, final ErrorCode code)
    {
        if (slots.phase(slot) != RtmpSlots.CHUNKS || slots.wasTold(slot))
        {
            return;
        }
        final String why = (null != slots.failure(slot) ? slots.failure(slot) : code.text()) + " (mpserver)";
        final double connectTransaction = slots.pendingConnectTransaction(slot);
        if (0 != connectTransaction)
        {
            CommandWriter.error(output.body(), connectTransaction, StatusCode.CONNECT_REJECTED, why);
            output.command(slot, RtmpOutput.CONNECTION_STREAM_ID);
        }
        else
        {
            CommandWriter.onStatus(output.body(), StatusCode.LEVEL_ERROR, statusCode(code), why);
            output.command(slot, slots.hasStream(slot) ? RtmpCommands.STREAM_ID : RtmpOutput.CONNECTION_STREAM_ID);
        }
        slots.told(slot);
    }

    private static String statusCode(final ErrorCode code)
    {
        switch (code)
        {
            case IDLE_TIMEOUT:
                return "NetConnection.Connect.IdleTimeout";
            case SHUTTING_DOWN:
                return "NetConnection.Connect.AppShutdown";
            case BAD_FRAME:
                return "NetConnection.Call.BadValue";
            default:
                return StatusCode.CONNECT_REJECTED;
        }
    }
}
