package dev.mpserver.loadgen.engine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TimerHeapTest
{
    @Test
    void behavesLikeAMinimumOverOneTimerPerSlot()
    {
        final int slots = 64;
        final TimerHeap heap = new TimerHeap(slots);
        final long[] reference = new long[slots];
        Arrays.fill(reference, TimerHeap.NONE);
        final SplittableRandom random = new SplittableRandom(5);
        for (int step = 0; step < 100_000; step++)
        {
            final int slot = random.nextInt(slots);
            final int op = random.nextInt(3);
            if (op == 0)
            {
                heap.cancel(slot);
                reference[slot] = TimerHeap.NONE;
            }
            else if (op == 1)
            {
                final long due = random.nextLong(1_000_000);
                heap.schedule(slot, due);
                reference[slot] = due;
            }
            else if (heap.size() > 0)
            {
                final int first = heap.peekSlot();
                assertEquals(reference[first], heap.peekDue());
                heap.cancel(first);
                reference[first] = TimerHeap.NONE;
            }
            final long min = Arrays.stream(reference).min().getAsLong();
            assertEquals(min, heap.peekDue(), "step " + step);
            assertEquals(Arrays.stream(reference).filter(d -> d != TimerHeap.NONE).count(), heap.size());
        }
    }
}
