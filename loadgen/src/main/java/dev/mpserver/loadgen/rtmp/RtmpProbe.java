package dev.mpserver.loadgen.rtmp;

import dev.mpserver.protocol.rtmp.ClientHandshake;
import dev.mpserver.protocol.rtmp.Handshake;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.SplittableRandom;

/**
 * Does a server speak RTMP? Send C0+C1 and see whether S0 (version 3) and S1 come back. Used by the
 * tests, the bench and {@code loadgen rtmp --probe} to skip with a clear message a server that does
 * not (mpserver before its RTMP session existed answered 0x03 with an 'E' frame and closed).
 */
public final class RtmpProbe
{
    private RtmpProbe()
    {
    }

    /** @return null if the server answered the handshake, else what it did instead. */
    public static String whyNotRtmp(final InetSocketAddress address, final int timeoutMillis)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            final byte[] request = new byte[Handshake.VERSION_AND_PACKET_LENGTH];
            new ClientHandshake(new SplittableRandom(1)).writeRequest(new UnsafeBuffer(request), 0, 0);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final byte[] answer = new byte[Handshake.VERSION_AND_PACKET_LENGTH];
            int got = 0;
            while (got < answer.length)
            {
                final int n = in.read(answer, got, answer.length - got);
                if (n < 0)
                {
                    return got == 0 ? "the server closed the connection without answering C0+C1"
                        : "the server answered " + got + " byte(s) starting with 0x" + Integer.toHexString(answer[0] & 0xFF)
                        + ", then closed: not an RTMP handshake";
                }
                got += n;
                if ((answer[0] & 0xFF) != Handshake.RTMP_VERSION)
                {
                    return "the server answered 0x" + Integer.toHexString(answer[0] & 0xFF) + " ('" + (char)(answer[0] & 0x7F)
                        + "'), not S0 = 3: not an RTMP handshake";
                }
            }
            return null;
        }
        catch (final SocketTimeoutException e)
        {
            return "no RTMP handshake answer within " + timeoutMillis + " ms";
        }
        catch (final IOException e)
        {
            return "cannot probe " + address + ": " + e.getMessage();
        }
    }
}
