package dev.mpserver.loadgen.ids;

import dev.mpserver.protocol.wire.WireProtocol;

import java.util.SplittableRandom;

/**
 * How connections pick their shard id, parsed from {@code --ids}:
 * <ul>
 *   <li>{@code random}: uniform over {@code [0, shards)};</li>
 *   <li>{@code fixed:K}: every connection uses K;</li>
 *   <li>{@code range:A-B}: connection n uses {@code A + n mod (B - A + 1)}, so every id of the range gets
 *       the same number of clients;</li>
 *   <li>{@code list:A,B,C}: connection n uses the (n mod count)-th id of the list, so every listed id
 *       gets the same number of clients (e.g. the shards of one host behind a balancer);</li>
 *   <li>{@code zipf:S}: Zipf with exponent S over {@code [0, shards)}; id 0 is the hottest, then 1, …
 *       (S = 0 is uniform, S ≈ 1 gives a few hot shards and a long cold tail).</li>
 *   <li>{@code none}: no {@code 'C'} at all: each client stays on the worker that accepted it (the
 *       "not routed" baseline of a benchmark).</li>
 * </ul>
 */
public final class ShardIds
{
    /** Upper bound on --shards for zipf: its table costs 8 bytes per shard. */
    public static final int MAX_ZIPF_SHARDS = 10_000_000;

    public enum Kind
    {
        RANDOM, FIXED, RANGE, LIST, ZIPF, NONE
    }

    /** Upper bound on the ids of list:A,B,C. */
    public static final int MAX_LIST_IDS = 100_000;

    private static final int[] NO_IDS = new int[0];

    private final Kind kind;
    private final int[] list;
    private final int first;
    private final int last;
    private final double exponent;
    private final String text;

    private ShardIds(final Kind kind, final int first, final int last, final double exponent, final String text)
    {
        this(kind, NO_IDS, first, last, exponent, text);
    }

    private ShardIds(final Kind kind, final int[] list, final int first, final int last, final double exponent, final String text)
    {
        this.kind = kind;
        this.list = list;
        this.first = first;
        this.last = last;
        this.exponent = exponent;
        this.text = text;
    }

    public static ShardIds random()
    {
        return new ShardIds(Kind.RANDOM, 0, 0, 0, "random");
    }

    /** No 'C' frame: connections are served where they were accepted. */
    public static ShardIds none()
    {
        return new ShardIds(Kind.NONE, WireProtocol.NO_SHARD, WireProtocol.NO_SHARD, 0, "none");
    }

    /** @return false for {@code none}: the connection sends no 'C' frame. */
    public boolean sendsControl()
    {
        return kind != Kind.NONE;
    }

    public static ShardIds fixed(final int shard)
    {
        requireShardId(shard, "fixed:K");
        return new ShardIds(Kind.FIXED, shard, shard, 0, "fixed:" + shard);
    }

    public static ShardIds range(final int first, final int last)
    {
        requireShardId(first, "range:A-B");
        requireShardId(last, "range:A-B");
        if (last < first)
        {
            throw new IllegalArgumentException("range:A-B needs A <= B, got " + first + "-" + last);
        }
        return new ShardIds(Kind.RANGE, first, last, 0, "range:" + first + "-" + last);
    }

    /** Connection n uses {@code ids[n mod ids.length]}. */
    public static ShardIds list(final int... ids)
    {
        if (ids.length == 0 || ids.length > MAX_LIST_IDS)
        {
            throw new IllegalArgumentException("list:A,B,C needs 1.." + MAX_LIST_IDS + " ids, got " + ids.length);
        }
        final StringBuilder text = new StringBuilder("list:");
        for (int i = 0; i < ids.length; i++)
        {
            requireShardId(ids[i], "list:A,B,C");
            text.append(i == 0 ? "" : ",").append(ids[i]);
        }
        return new ShardIds(Kind.LIST, ids.clone(), 0, 0, 0, text.toString());
    }

    public static ShardIds zipf(final double exponent)
    {
        if (!(exponent >= 0) || Double.isInfinite(exponent))
        {
            throw new IllegalArgumentException("zipf:S needs a finite exponent S >= 0, got " + exponent);
        }
        return new ShardIds(Kind.ZIPF, 0, 0, exponent, "zipf:" + exponent);
    }

    /** Parse the text of {@code --ids}; the message of the exception says what is accepted. */
    public static ShardIds parse(final String spec)
    {
        final String s = spec.trim();
        try
        {
            if (s.equals("random"))
            {
                return random();
            }
            if (s.equals("none"))
            {
                return none();
            }
            if (s.startsWith("fixed:"))
            {
                return fixed(Integer.parseInt(s.substring("fixed:".length())));
            }
            if (s.startsWith("range:"))
            {
                final String body = s.substring("range:".length());
                final int dash = body.indexOf('-');
                if (dash <= 0)
                {
                    throw new IllegalArgumentException("range:A-B needs two ids, got '" + spec + "'");
                }
                return range(Integer.parseInt(body.substring(0, dash)), Integer.parseInt(body.substring(dash + 1)));
            }
            if (s.startsWith("zipf:"))
            {
                return zipf(Double.parseDouble(s.substring("zipf:".length())));
            }
            if (s.startsWith("list:"))
            {
                final String[] items = s.substring("list:".length()).split(",", -1);
                final int[] ids = new int[items.length];
                for (int i = 0; i < items.length; i++)
                {
                    ids[i] = Integer.parseInt(items[i].trim());
                }
                return list(ids);
            }
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("bad number in '" + spec + "'", e);
        }
        throw new IllegalArgumentException(
            "'" + spec + "' is not one of random, fixed:K, range:A-B, list:A,B,C, zipf:S, none");
    }

    public Kind kind()
    {
        return kind;
    }

    /** @return true when the ids are drawn from {@code [0, shards)} (random, zipf). */
    public boolean usesShardSpace()
    {
        return kind == Kind.RANDOM || kind == Kind.ZIPF;
    }

    /**
     * A generator for one engine thread.
     *
     * @param shards size of the shard space for random and zipf.
     * @param zipfTable from {@link #zipfTable(int)} for zipf, else null; shared read-only by all threads.
     */
    public ShardIdGenerator newGenerator(final int shards, final long seed, final double[] zipfTable)
    {
        switch (kind)
        {
            case NONE:
            case FIXED:
                return n -> first;
            case RANGE:
            {
                final long width = (long)last - first + 1;
                return n -> (int)(first + n % width);
            }
            case LIST:
            {
                final int[] ids = list;
                return n -> ids[(int)(n % ids.length)];
            }
            case RANDOM:
            {
                final SplittableRandom random = new SplittableRandom(seed);
                return n -> random.nextInt(shards);
            }
            case ZIPF:
            {
                final SplittableRandom random = new SplittableRandom(seed);
                return n -> searchCumulative(zipfTable, random.nextDouble());
            }
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    /**
     * The cumulative distribution of Zipf(S) over ranks 1..shards, normalised to end at 1.0; index i is
     * the probability of an id {@code <= i}. Null unless the kind is zipf.
     */
    public double[] zipfTable(final int shards)
    {
        if (kind != Kind.ZIPF)
        {
            return null;
        }
        final double[] cumulative = new double[shards];
        double sum = 0;
        for (int i = 0; i < shards; i++)
        {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cumulative[i] = sum;
        }
        for (int i = 0; i < shards; i++)
        {
            cumulative[i] /= sum;
        }
        cumulative[shards - 1] = 1.0;
        return cumulative;
    }

    static int searchCumulative(final double[] cumulative, final double u)
    {
        int low = 0;
        int high = cumulative.length - 1;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (cumulative[mid] > u)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }

    private static void requireShardId(final int id, final String form)
    {
        if (id < 0)
        {
            throw new IllegalArgumentException(form + " needs shard ids >= 0, got " + id);
        }
    }

    @Override
    public String toString()
    {
        return text;
    }
}
