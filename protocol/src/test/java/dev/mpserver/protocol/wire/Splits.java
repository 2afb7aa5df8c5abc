package dev.mpserver.protocol.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/**
 * The ways a byte stream can arrive: whole, cut once at every boundary, byte by byte, and in random
 * chunks (fixed seed, so a failure can be replayed). Public for the RTMP codec tests.
 */
public final class Splits
{
    private static final int RANDOM_SPLITS = 200;
    private static final long SEED = 0x5EEDL;

    private Splits()
    {
    }

    /** Each element is an array of cut points for {@link InputBuffer#feed}, labelled for failure messages. */
    public record Split(String label, int[] cuts)
    {
    }

    public static List<Split> of(final int streamLength)
    {
        final List<Split> splits = new ArrayList<>();
        splits.add(new Split("whole", new int[0]));

        for (int cut = 1; cut < streamLength; cut++)
        {
            splits.add(new Split("cut at " + cut, new int[]{ cut }));
        }

        final int[] everyByte = new int[Math.max(0, streamLength - 1)];
        for (int i = 0; i < everyByte.length; i++)
        {
            everyByte[i] = i + 1;
        }
        splits.add(new Split("byte by byte", everyByte));

        final Random random = new Random(SEED);
        for (int i = 0; i < RANDOM_SPLITS && streamLength > 1; i++)
        {
            final TreeSet<Integer> cuts = new TreeSet<>();
            final int count = 1 + random.nextInt(Math.min(8, streamLength - 1));
            while (cuts.size() < count)
            {
                cuts.add(1 + random.nextInt(streamLength - 1));
            }
            splits.add(new Split("random " + cuts, cuts.stream().mapToInt(Integer::intValue).toArray()));
        }

        return splits;
    }
}
