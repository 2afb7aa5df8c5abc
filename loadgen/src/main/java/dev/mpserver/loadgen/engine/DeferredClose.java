package dev.mpserver.loadgen.engine;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * Closes an engine thread's finished sockets once its selector has let go of them. NIO cannot close
 * a channel still registered with a selector: {@code close()} then costs {@code getsockopt(SO_LINGER)}
 * and {@code shutdown(SHUT_WR)}, and the fd is closed only by the next select. Cancelling the key
 * first and closing after that select's deregistration is a plain {@code close()}, and one select
 * serves every socket the turn finished (a burst finishes hundreds). The engine selects without
 * waiting while {@link #hasPending()}, so no server waits for a FIN.
 */
final class DeferredClose
{
    private SocketChannel[] pending = new SocketChannel[64];
    private int count;

    /** Cancels {@code key} (if any) and closes {@code channel} after the next select. */
    void add(final SelectionKey key, final SocketChannel channel)
    {
        if (null == channel)
        {
            return;
        }
        if (null == key)
        {
            ClientSockets.closeQuietly(channel); // never registered: nothing to wait for
            return;
        }
        key.cancel();
        if (count == pending.length)
        {
            pending = Arrays.copyOf(pending, count * 2);
        }
        pending[count++] = channel;
    }

    boolean hasPending()
    {
        return count > 0;
    }

    /** Closes those the last select deregistered; keys cancelled during its callbacks wait for the next. */
    void closeDeregistered()
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            final SocketChannel channel = pending[i];
            if (channel.isRegistered())
            {
                pending[kept++] = channel;
            }
            else
            {
                ClientSockets.closeQuietly(channel);
            }
        }
        Arrays.fill(pending, kept, count, null);
        count = kept;
    }

    /** At the engine's end (its selector closed, or about to be): closes every one left. */
    void closeAll()
    {
        for (int i = 0; i < count; i++)
        {
            ClientSockets.closeQuietly(pending[i]);
            pending[i] = null;
        }
        count = 0;
    }
}
