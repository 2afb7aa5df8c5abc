package dev.mpserver.loadgen.engine;

import java.util.Arrays;

/**
 * A binary min-heap of (due time, slot) with at most one entry per slot, in primitive arrays sized once.
 * An engine thread keeps here the next paced message send and the end of each --hold ({@code loadgen rtmp}:
 * each client's next frame, arrival or deadline).
 */
public final class TimerHeap
{
    public static final long NONE = Long.MAX_VALUE;
    private static final int ABSENT = -1;

    private final long[] due;
    private final int[] slotAt;
    private final int[] positionOf;
    private int size;

    public TimerHeap(final int slots)
    {
        due = new long[slots];
        slotAt = new int[slots];
        positionOf = new int[slots];
        Arrays.fill(positionOf, ABSENT);
    }

    public int size()
    {
        return size;
    }

    /** @return the earliest due time, or {@link #NONE}. */
    public long peekDue()
    {
        return size == 0 ? NONE : due[0];
    }

    /** @return the slot of the earliest entry; only when {@link #size()} &gt; 0. */
    public int peekSlot()
    {
        return slotAt[0];
    }

    /** Set (or move) the one timer of {@code slot}. */
    public void schedule(final int slot, final long dueNanos)
    {
        int position = positionOf[slot];
        if (position == ABSENT)
        {
            position = size++;
            slotAt[position] = slot;
            positionOf[slot] = position;
            due[position] = dueNanos;
            siftUp(position);
        }
        else
        {
            final long previous = due[position];
            due[position] = dueNanos;
            if (dueNanos < previous)
            {
                siftUp(position);
            }
            else
            {
                siftDown(position);
            }
        }
    }

    public void cancel(final int slot)
    {
        final int position = positionOf[slot];
        if (position == ABSENT)
        {
            return;
        }
        positionOf[slot] = ABSENT;
        final int last = --size;
        if (position != last)
        {
            move(last, position);
            siftDown(position);
            siftUp(position);
        }
    }

    private void siftUp(final int start)
    {
        int position = start;
        final long d = due[position];
        final int s = slotAt[position];
        while (position > 0)
        {
            final int parent = (position - 1) >>> 1;
            if (due[parent] <= d)
            {
                break;
            }
            move(parent, position);
            position = parent;
        }
        put(position, d, s);
    }

    private void siftDown(final int start)
    {
        int position = start;
        final long d = due[position];
        final int s = slotAt[position];
        while (true)
        {
            final int left = 2 * position + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && due[right] < due[left] ? right : left;
            if (due[child] >= d)
            {
                break;
            }
            move(child, position);
            position = child;
        }
        put(position, d, s);
    }

    private void move(final int from, final int to)
    {
        put(to, due[from], slotAt[from]);
    }

    private void put(final int position, final long d, final int s)
    {
        due[position] = d;
        slotAt[position] = s;
        positionOf[s] = position;
    }
}
