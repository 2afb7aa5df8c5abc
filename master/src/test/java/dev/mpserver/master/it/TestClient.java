package dev.mpserver.master.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.mpserver.protocol.wire.WireProtocol;

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

    public static byte[] control(final int shardId)
    {
        return ByteBuffer.allocate(WireProtocol.CONTROL_FRAME_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
            .put(WireProtocol.CONTROL).putInt(shardId).array();
    }

    /** 'M' + body (which must end with its '\0'). */
    public static byte[] message(final byte[] bodyWithTerminator)
    {
        final byte[] frame = new byte[1 + bodyWithTerminator.length];
        frame[0] = WireProtocol.MESSAGE;
        System.arraycopy(bodyWithTerminator, 0, frame, 1, bodyWithTerminator.length);
        return frame;
    }

    public static byte[] broadcast(final String text)
    {
        final byte[] body = text.getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = new byte[body.length + 2];
        frame[0] = WireProtocol.BROADCAST;
        System.arraycopy(body, 0, frame, 1, body.length);
        return frame;
    }

    /** Writes the frames with one write, as one burst. */
    public TestClient send(final byte[]... frames) throws IOException
    {
        final java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
        for (final byte[] frame : frames)
        {
            burst.write(frame);
        }
        out.write(burst.toByteArray());
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
        final byte[] reply = readExactly(WireProtocol.IDENTIFY_REPLY_LENGTH);
        if (reply[0] != WireProtocol.IDENTIFY)
        {
            throw new IOException("expected identify reply, got " + printable(reply));
        }
        final ByteBuffer b = ByteBuffer.wrap(reply, 1, 16).order(ByteOrder.LITTLE_ENDIAN);
        return new int[] {b.getInt(), b.getInt(), b.getInt(), b.getInt()};
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
