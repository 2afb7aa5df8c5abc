package dev.mpserver.loadgen.rtmp;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * What a client's socket has not taken yet. Output is composed in the engine thread's shared buffer
 * and written at once; only the rest a full socket leaves is copied here, into an array of the
 * client's own, grown on demand: normally it is never allocated.
 */
final class PendingOutput
{
    private static final int INITIAL_CAPACITY = 4096;

    private byte[] bytes;
    private ByteBuffer view;
    private int length;

    /** @return bytes waiting for the socket. */
    int length()
    {
        return length;
    }

    /** Keeps {@code count} bytes of {@code from} at {@code offset} behind what already waits. */
    void append(final DirectBuffer from, final int offset, final int count)
    {
        if (null == bytes || bytes.length < length + count)
        {
            final byte[] larger = new byte[Math.max(length + count, null == bytes ? INITIAL_CAPACITY : bytes.length * 2)];
            if (null != bytes)
            {
                System.arraycopy(bytes, 0, larger, 0, length);
            }
            bytes = larger;
            view = ByteBuffer.wrap(bytes);
        }
        from.getBytes(offset, bytes, length, count);
        length += count;
    }

    /**
     * Writes what waits, as much as the socket takes.
     *
     * @return bytes written
     */
    int writeTo(final SocketChannel channel) throws IOException
    {
        if (0 == length)
        {
            return 0;
        }
        view.clear().limit(length);
        final int written = channel.write(view);
        if (written > 0)
        {
            System.arraycopy(bytes, written, bytes, 0, length - written);
            length -= written;
        }
        return written;
    }

    /** The client is done: let the array go. */
    void release()
    {
        bytes = null;
        view = null;
        length = 0;
    }
}
