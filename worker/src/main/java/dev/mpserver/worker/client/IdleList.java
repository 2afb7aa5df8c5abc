package dev.mpserver.worker.client;

/**
 * The clients here in the order they were last active, least recently first: an intrusive doubly
 * linked list threaded through primitive arrays indexed by client slot, so that the idle timeout
 * looks only at the head, and activity moves a client to the tail without allocating.
 *
 * <pre>
 *   head → slot a ⇄ slot b ⇄ … ⇄ tail
 * </pre>
 */
final class IdleList
{
    private final int[] prev;
    private final int[] next;
    private int head = ClientTable.NONE;
    private int tail = ClientTable.NONE;

    IdleList(final int capacity)
    {
        prev = new int[capacity];
        next = new int[capacity];
    }

    /** @return the least recently active client, or {@link ClientTable#NONE}. */
    int head()
    {
        return head;
    }

    /** The client was active: it goes to the tail. */
    void touched(final int slot)
    {
        if (tail != slot)
        {
            unlink(slot);
            append(slot);
        }
    }

    void append(final int slot)
    {
        prev[slot] = tail;
        next[slot] = ClientTable.NONE;
        if (tail != ClientTable.NONE)
        {
            next[tail] = slot;
        }
        else
        {
            head = slot;
        }
        tail = slot;
    }

    void unlink(final int slot)
    {
        final int before = prev[slot];
        final int after = next[slot];
        if (before != ClientTable.NONE)
        {
            next[before] = after;
        }
        else
        {
            head = after;
        }
        if (after != ClientTable.NONE)
        {
            prev[after] = before;
        }
        else
        {
            tail = before;
        }
        prev[slot] = ClientTable.NONE;
        next[slot] = ClientTable.NONE;
    }
}
