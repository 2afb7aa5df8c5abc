package dev.mpserver.loadgen.config;

import dev.mpserver.loadgen.ids.ShardIds;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Everything one load run needs, validated. Built by the command line ({@code run}, {@code storm}) or
 * directly by a test through {@link #builder(int)}.
 */
public final class LoadConfig
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_THREADS = 2;
    public static final int MAX_THREADS = 64;
    public static final int DEFAULT_CONNS = 100;
    public static final int DEFAULT_MSGS = 10;
    public static final int DEFAULT_SHARDS = 1000;
    public static final int MAX_PIPELINE = 4096;
    public static final long DEFAULT_DURATION_NANOS = TimeUnit.SECONDS.toNanos(300);
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String command;
    private final String host;
    private final InetAddress address;
    private final int port;
    private final boolean allowRemote;
    private final int threads;
    private final long conns;
    private final int msgs;
    private final int concurrency;
    private final ArrivalSchedule arrivals;
    private final double msgRate;
    private final int pipeline;
    private final ShardIds shardIds;
    private final int shards;
    private final long seed;
    private final long durationNanos;
    private final long timeoutNanos;
    private final long holdNanos;
    private final boolean verify;
    private final boolean expectAll;
    private final Path runDir;

    private LoadConfig(final Builder b, final InetAddress address)
    {
        command = b.command;
        host = b.host;
        this.address = address;
        port = b.port;
        allowRemote = b.allowRemote;
        threads = b.threads;
        conns = b.conns;
        msgs = b.msgs;
        concurrency = b.concurrency > 0 ? b.concurrency : (int)Math.min(b.conns, Integer.MAX_VALUE);
        arrivals = b.arrivals;
        msgRate = b.msgRate;
        pipeline = b.pipeline;
        shardIds = b.shardIds;
        shards = b.shards;
        seed = b.seed;
        durationNanos = b.durationNanos;
        timeoutNanos = b.timeoutNanos;
        holdNanos = b.holdNanos;
        verify = b.verify;
        expectAll = b.expectAll;
        runDir = b.runDir;
    }

    /** A builder with every default; the port has none. */
    public static Builder builder(final int port)
    {
        return new Builder().port(port);
    }

    /** "run" or "storm": which command built this (it names the report). */
    public String command()
    {
        return command;
    }

    public String host()
    {
        return host;
    }

    /** The resolved {@link #host()}. */
    public InetAddress address()
    {
        return address;
    }

    public int port()
    {
        return port;
    }

    public boolean allowRemote()
    {
        return allowRemote;
    }

    public int threads()
    {
        return threads;
    }

    /** Connections in the whole run. */
    public long conns()
    {
        return conns;
    }

    /** Messages per connection. */
    public int msgs()
    {
        return msgs;
    }

    /** Most connections open at once, over all threads. */
    public int concurrency()
    {
        return concurrency;
    }

    public ArrivalSchedule arrivals()
    {
        return arrivals;
    }

    /** Messages per second per connection; 0 = send the next message as soon as the pipeline allows. */
    public double msgRate()
    {
        return msgRate;
    }

    /** @return true when connection starts or messages follow a clock rather than the previous reply. */
    public boolean isOpenLoop()
    {
        return arrivals.isPaced() || msgRate > 0;
    }

    public int pipeline()
    {
        return pipeline;
    }

    public ShardIds shardIds()
    {
        return shardIds;
    }

    public int shards()
    {
        return shards;
    }

    public long seed()
    {
        return seed;
    }

    public long durationNanos()
    {
        return durationNanos;
    }

    public long timeoutNanos()
    {
        return timeoutNanos;
    }

    public long holdNanos()
    {
        return holdNanos;
    }

    public boolean verify()
    {
        return verify;
    }

    public boolean expectAll()
    {
        return expectAll;
    }

    /** The server's --run-dir, for its counters; null when not given. */
    public Path runDir()
    {
        return runDir;
    }

    public static final class Builder
    {
        private String command = "run";
        private String host = DEFAULT_HOST;
        private int port;
        private boolean allowRemote;
        private int threads = DEFAULT_THREADS;
        private long conns = DEFAULT_CONNS;
        private int msgs = DEFAULT_MSGS;
        private int concurrency;
        private ArrivalSchedule arrivals = ArrivalSchedule.asSoonAsPossible();
        private double msgRate;
        private int pipeline = 1;
        private ShardIds shardIds = ShardIds.random();
        private int shards = DEFAULT_SHARDS;
        private long seed = System.nanoTime();
        private long durationNanos = DEFAULT_DURATION_NANOS;
        private long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
        private long holdNanos;
        private boolean verify;
        private boolean expectAll;
        private Path runDir;

        private Builder()
        {
        }

        public Builder command(final String command)
        {
            this.command = command;
            return this;
        }

        public Builder host(final String host)
        {
            this.host = host;
            return this;
        }

        public Builder port(final int port)
        {
            this.port = port;
            return this;
        }

        public Builder allowRemote(final boolean allowRemote)
        {
            this.allowRemote = allowRemote;
            return this;
        }

        public Builder threads(final int threads)
        {
            this.threads = threads;
            return this;
        }

        public Builder conns(final long conns)
        {
            this.conns = conns;
            return this;
        }

        public Builder msgs(final int msgs)
        {
            this.msgs = msgs;
            return this;
        }

        /** 0 = as many as --conns. */
        public Builder concurrency(final int concurrency)
        {
            this.concurrency = concurrency;
            return this;
        }

        public Builder arrivals(final ArrivalSchedule arrivals)
        {
            this.arrivals = arrivals;
            return this;
        }

        public Builder msgRate(final double msgRate)
        {
            this.msgRate = msgRate;
            return this;
        }

        public Builder pipeline(final int pipeline)
        {
            this.pipeline = pipeline;
            return this;
        }

        public Builder shardIds(final ShardIds shardIds)
        {
            this.shardIds = shardIds;
            return this;
        }

        public Builder shards(final int shards)
        {
            this.shards = shards;
            return this;
        }

        public Builder seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public Builder duration(final long amount, final TimeUnit unit)
        {
            this.durationNanos = unit.toNanos(amount);
            return this;
        }

        public Builder timeout(final long amount, final TimeUnit unit)
        {
            this.timeoutNanos = unit.toNanos(amount);
            return this;
        }

        public Builder hold(final long amount, final TimeUnit unit)
        {
            this.holdNanos = unit.toNanos(amount);
            return this;
        }

        public Builder verify(final boolean verify)
        {
            this.verify = verify;
            return this;
        }

        public Builder expectAll(final boolean expectAll)
        {
            this.expectAll = expectAll;
            return this;
        }

        public Builder runDir(final Path runDir)
        {
            this.runDir = runDir;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option at fault, e.g. a host that is not a loopback
         *                                  address without {@code allowRemote}.
         */
        public LoadConfig build()
        {
            require(port >= 1 && port <= 65535, "--port must be in 1..65535, got " + port);
            require(threads >= 1 && threads <= MAX_THREADS,
                "--threads must be in 1.." + MAX_THREADS + ", got " + threads);
            require(conns >= 1, "--conns must be >= 1, got " + conns);
            require(msgs >= 1, "--msgs must be >= 1 (the first message is what measures routing), got " + msgs);
            require(concurrency >= 0, "--concurrency must be >= 1, got " + concurrency);
            require(pipeline >= 1 && pipeline <= MAX_PIPELINE,
                "--pipeline must be in 1.." + MAX_PIPELINE + ", got " + pipeline);
            require(msgRate >= 0 && !Double.isInfinite(msgRate), "--msg-rate must be > 0, got " + msgRate);
            require(shards >= 1, "--shards must be >= 1, got " + shards);
            require(shardIds.sendsControl() || !verify, "--verify needs shard ids: with --ids none no client names a shard");
            require(shardIds.kind() != ShardIds.Kind.ZIPF || shards <= ShardIds.MAX_ZIPF_SHARDS,
                "--shards must be <= " + ShardIds.MAX_ZIPF_SHARDS + " with --ids zipf:S, got " + shards);
            require(durationNanos > 0, "--duration must be > 0");
            require(timeoutNanos > 0, "--timeout must be > 0");
            require(holdNanos >= 0, "--hold must be >= 0");
            require(arrivals != null && shardIds != null, "arrivals and shard ids must be set");
            final InetAddress address;
            try
            {
                address = InetAddress.getByName(host);
            }
            catch (final UnknownHostException e)
            {
                throw new IllegalArgumentException("--host '" + host + "' does not resolve: " + e.getMessage(), e);
            }
            require(allowRemote || address.isLoopbackAddress(),
                "--host " + host + " (" + address.getHostAddress() + ") is not a loopback address; "
                + "loadgen tests loopback only unless --allow-remote is given");
            return new LoadConfig(this, address);
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
