package dev.mpserver.protocol.shard;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process of {@link SharedShardTableTest}: opens the table at {@code args[0]}, warms its
 * inserts up on a scratch table at {@code args[2]}, creates {@code args[3]} once it is ready,
 * waits for {@code args[4]} to appear, then inserts shard ids {@code 0..args[1]-1} as slot 1 and
 * prints {@code won <count>}.
 */
public final class SharedShardTableRacer
{
    public static final int SLOT = 1;

    public static void main(final String[] args) throws Exception
    {
        final Path table = Path.of(args[0]);
        final int shards = Integer.parseInt(args[1]);
        final Path scratch = Path.of(args[2]);
        final Path ready = Path.of(args[3]);
        final Path go = Path.of(args[4]);
        int won = 0;
        try (SharedShardTable shardTable = SharedShardTable.open(table))
        {
            warmUp(scratch, shards);
            Files.createFile(ready);
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Files.exists(go))
            {
                if (System.nanoTime() > deadline)
                {
                    System.out.println("no go");
                    System.exit(2);
                }
                Thread.onSpinWait();
            }
            for (int shardId = 0; shardId < shards; shardId++)
            {
                if (shardTable.insert(shardId, SLOT) != SharedShardTable.FREE_ENTRY)
                {
                    won++;
                }
            }
        }
        System.out.println("won " + won);
        System.out.flush();
    }

    /** Runs the insert loop on a table of its own until the JIT has compiled it. */
    static void warmUp(final Path scratch, final int shards)
    {
        for (int round = 0; round < 3; round++)
        {
            try (SharedShardTable table = SharedShardTable.create(scratch, Integer.highestOneBit(shards) << 2, 2, 1, true))
            {
                for (int shardId = 0; shardId < shards; shardId++)
                {
                    if (table.insert(shardId, SLOT) == SharedShardTable.FREE_ENTRY || table.find(shardId) == SharedShardTable.FREE_ENTRY)
                    {
                        throw new IllegalStateException("warm-up: shard " + shardId + " not inserted");
                    }
                }
            }
        }
    }
}
