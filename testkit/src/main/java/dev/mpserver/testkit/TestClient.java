package dev.mpserver.testkit;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.mpserver.protocol.wire.WireEncoder;
import dev.mpserver.protocol.wire.WireProtocol;
import org.agrona.concurrent.UnsafeBuffer;

/** A blocking client speaking the wire protocol, for tests: every read is bounded by a timeout. */
public final class TestClient implements AutoCloseable
{
    public static final byte[] PING = message(WireProtocol.PROTOTYPE_PING);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public TestClient(final int port) throws IOException
    {
        this(port, 10_000);
    }

    public TestClient(final int port, final int timeoutMillis) throws IOException
    {
        this(port, timeoutMillis, 0);
    }

    /** @param receiveBuffer SO_RCVBUF set before connecting (so autotuning cannot grow it); 0 = default */
    public TestClient(final int port, final int timeoutMillis, final int receiveBuffer) throws IOException
    {
        socket = new Socket();
        if (receiveBuffer > 0)
        {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
        out = socket.getOutputStream();
    }

    /** 'C' + id: the frame that routes a connection. */
    public static byte[] control(final int shardId)
    {
        final byte[] frame = new byte[WireProtocol.CONTROL_FRAME_LENGTH];
        WireEncoder.putControl(new UnsafeBuffer(frame), 0, shardId);
        return frame;
    }

    /** 'M' + body (which must end with its '\0'). */
    public static byte[] message(final byte[] bodyWithTerminator)
    {
        final byte[] frame = new byte[WireProtocol.TYPE_LENGTH + bodyWithTerminator.length];
        WireEncoder.putMessage(new UnsafeBuffer(frame), 0, Arrays.copyOf(bodyWithTerminator, bodyWithTerminator.length - 1));
        return frame;
    }

    /** 'B' + text + '\0'. */
    public static byte[] broadcast(final String text)
    {
        final byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = new byte[WireEncoder.delimitedFrameLength(body.length)];
        WireEncoder.putBroadcast(new UnsafeBuffer(frame), 0, body);
        return frame;
    }

    /** Frames back to back, for one write: so that they arrive together. */
    public static byte[] burst(final byte[]... frames)
    {
        final java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            burst.writeBytes(frame);
        }
        return burst.toByteArray();
    }

    /** Writes the frames with one write, as one burst. */
    public TestClient send(final byte[]... frames) throws IOException
    {
        out.write(burst(frames));
        out.flush();
        return this;
    }

    /** 'C' id, then one 'M' and its reply: a routed, served client. */
    public TestClient join(final int shardId) throws IOException
    {
        send(control(shardId), PING);
        expectPing();
        return this;
    }

    public void expectPing() throws IOException
    {
        final byte[] reply = readExactly(WireProtocol.PING_REPLY.length);
        if (!Arrays.equals(WireProtocol.PING_REPLY, reply))
        {
            throw new IOException("expected ping reply, got " + printable(reply));
        }
    }

    /** Sends 'I' and reads the reply: {pid, slot, shard, clientsOnShard}. */
    public int[] identify() throws IOException
    {
        send(new byte[] {WireProtocol.IDENTIFY});
        return readIdentifyReply();
    }

    /** Reads the reply to an 'I' sent before (in a burst, say): {pid, slot, shard, clientsOnShard}. */
    public int[] readIdentifyReply() throws IOException
    {
        final byte[] reply = readExactly(WireProtocol.IDENTIFY_REPLY_LENGTH);
        if (reply[WireProtocol.TYPE_OFFSET] != WireProtocol.IDENTIFY)
        {
            throw new IOException("expected identify reply, got " + printable(reply));
        }
        final UnsafeBuffer fields = new UnsafeBuffer(reply);
        return new int[] {
            fields.getInt(WireProtocol.IDENTIFY_PID_OFFSET, ByteOrder.LITTLE_ENDIAN),
            fields.getInt(WireProtocol.IDENTIFY_SLOT_OFFSET, ByteOrder.LITTLE_ENDIAN),
            fields.getInt(WireProtocol.IDENTIFY_SHARD_OFFSET, ByteOrder.LITTLE_ENDIAN),
            fields.getInt(WireProtocol.IDENTIFY_CLIENTS_OFFSET, ByteOrder.LITTLE_ENDIAN)};
    }

    /** Reads an 'E' frame; returns its code. */
    public int expectError() throws IOException
    {
        final int type = in.readUnsignedByte();
        if (type != WireProtocol.ERROR)
        {
            throw new IOException("expected 'E', got 0x" + Integer.toHexString(type));
        }
        final int code = in.readUnsignedByte();
        while (in.readUnsignedByte() != 0)
        {
            // error text
        }
        return code;
    }

    /** Reads a '\0'-terminated frame of the given type (e.g. a broadcast) and returns it whole. */
    public byte[] readDelimited(final byte type) throws IOException
    {
        final int first = in.readUnsignedByte();
        if (first != type)
        {
            throw new IOException("expected '" + (char)type + "', got 0x" + Integer.toHexString(first));
        }
        final java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        frame.write(first);
        int b;
        do
        {
            b = in.readUnsignedByte();
            frame.write(b);
        }
        while (b != 0);
        return frame.toByteArray();
    }

    /** True if the server closed the connection (EOF or reset) within the read timeout. */
    public boolean isClosedByServer()
    {
        try
        {
            return in.read() < 0;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /**
     * True if the server ended the connection (EOF or reset) within the read timeout, after
     * whatever it sent last (a worker that stops tells its clients {@code 'E'} 5 first).
     */
    public boolean isEndedByServer()
    {
        try
        {
            while (in.read() >= 0)
            {
                // the last frames before the end
            }
            return true;
        }
        catch (final SocketTimeoutException ex)
        {
            return false;
        }
        catch (final IOException ex)
        {
            return true;
        }
    }

    /** True if nothing arrives within {@code millis}. */
    public boolean isSilentFor(final int millis) throws IOException
    {
        final int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try
        {
            in.read();
            return false; // data, or EOF
        }
        catch (final SocketTimeoutException ex)
        {
            return true;
        }
        finally
        {
            socket.setSoTimeout(previous);
        }
    }

    /** Whatever is there, up to {@code sink.length} bytes; -1 at EOF. */
    public int readSome(final byte[] sink) throws IOException
    {
        return in.read(sink);
    }

    public Socket socket()
    {
        return socket;
    }

    public byte[] readExactly(final int length) throws IOException
    {
        final byte[] bytes = new byte[length];
        try
        {
            in.readFully(bytes);
        }
        catch (final EOFException ex)
        {
            throw new IOException("server closed the connection", ex);
        }
        return bytes;
    }

    /** Closes with RST instead of FIN. */
    public void reset() throws IOException
    {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }

    private static String printable(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
    }
}
