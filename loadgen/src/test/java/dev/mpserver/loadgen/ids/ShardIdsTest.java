package dev.mpserver.loadgen.ids;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardIdsTest
{
    @Test
    void parsesEveryForm()
    {
        assertEquals(ShardIds.Kind.RANDOM, ShardIds.parse("random").kind());
        assertEquals(ShardIds.Kind.FIXED, ShardIds.parse("fixed:7").kind());
        assertEquals(ShardIds.Kind.RANGE, ShardIds.parse("range:3-9").kind());
        assertEquals(ShardIds.Kind.ZIPF, ShardIds.parse("zipf:1.1").kind());
        assertEquals(ShardIds.Kind.LIST, ShardIds.parse("list:4, 8,15").kind());
        assertEquals("list:4,8,15", ShardIds.parse("list:4, 8,15").toString());
        for (final String bad : new String[] {"", "fixed:", "fixed:-1", "range:9-3", "range:5", "zipf:-0.5", "zipf:x", "uniform",
            "list:", "list:1,,2", "list:1,-2"})
        {
            assertThrows(IllegalArgumentException.class, () -> ShardIds.parse(bad), bad);
        }
    }

    @Test
    void rangeGivesEveryIdTheSameNumberOfClients()
    {
        final ShardIdGenerator g = ShardIds.range(10, 12).newGenerator(1000, 1, null);
        assertEquals(10, g.shardFor(0));
        assertEquals(11, g.shardFor(1));
        assertEquals(12, g.shardFor(2));
        assertEquals(10, g.shardFor(3));
        assertEquals(7, ShardIds.fixed(7).newGenerator(1000, 1, null).shardFor(99));
        final ShardIdGenerator list = ShardIds.list(42, 7, 1000).newGenerator(10, 1, null);
        assertEquals(42, list.shardFor(0));
        assertEquals(7, list.shardFor(1));
        assertEquals(1000, list.shardFor(2), "ids outside --shards are used as given");
        assertEquals(42, list.shardFor(3));
    }

    @Test
    void randomStaysInTheShardSpaceAndRepeatsWithTheSeed()
    {
        final ShardIdGenerator a = ShardIds.random().newGenerator(50, 42, null);
        final ShardIdGenerator b = ShardIds.random().newGenerator(50, 42, null);
        for (int n = 0; n < 1000; n++)
        {
            final int id = a.shardFor(n);
            assertTrue(id >= 0 && id < 50);
            assertEquals(id, b.shardFor(n));
        }
    }

    @Test
    void zipfHasAFewHotShardsAndManyColdOnes()
    {
        final ShardIds zipf = ShardIds.zipf(1.0);
        final int shards = 1000;
        final ShardIdGenerator g = zipf.newGenerator(shards, 3, zipf.zipfTable(shards));
        final int[] hits = new int[shards];
        final int samples = 200_000;
        for (int n = 0; n < samples; n++)
        {
            hits[g.shardFor(n)]++;
        }
        // Zipf(1) over 1000: P(0) = 1/H(1000) ≈ 0.1336, P(1) ≈ 0.0668, the top 10 ≈ 0.39.
        assertEquals(0.1336, hits[0] / (double)samples, 0.01);
        assertEquals(0.0668, hits[1] / (double)samples, 0.01);
        int top10 = 0;
        for (int i = 0; i < 10; i++)
        {
            top10 += hits[i];
        }
        assertEquals(0.39, top10 / (double)samples, 0.02);
        assertTrue(hits[999] < hits[0] / 100);
    }

    @Test
    void cumulativeSearchFindsTheFirstBucketAboveU()
    {
        final double[] c = {0.5, 0.75, 1.0};
        assertEquals(0, ShardIds.searchCumulative(c, 0.0));
        assertEquals(0, ShardIds.searchCumulative(c, 0.4999));
        assertEquals(1, ShardIds.searchCumulative(c, 0.5));
        assertEquals(2, ShardIds.searchCumulative(c, 0.99));
    }
}
