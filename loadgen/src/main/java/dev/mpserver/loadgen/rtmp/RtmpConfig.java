package dev.mpserver.loadgen.rtmp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * Everything one {@code loadgen rtmp} run needs, validated: S streams, each with one publisher and N
 * players, spread over V vhosts. Built by the command line or by a test through {@link #builder(int)}.
 */
public final class RtmpConfig
{
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final String DEFAULT_APP = "live";
    public static final int DEFAULT_THREADS = 2;
    public static final int MAX_THREADS = 64;
    public static final int DEFAULT_STREAMS = 4;
    public static final int DEFAULT_PLAYERS = 25;
    public static final long DEFAULT_BITRATE = 500_000;
    public static final long MIN_BITRATE = 8_000;
    public static final long MAX_BITRATE = 100_000_000;
    public static final int DEFAULT_FPS = 25;
    public static final int MAX_FPS = 240;
    public static final long DEFAULT_DURATION_NANOS = TimeUnit.SECONDS.toNanos(30);
    public static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Publishers stop this long before the end (at most a quarter of the run) so players can receive the last frames. */
    public static final long MAX_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String host;
    private final InetAddress address;
    private final int port;
    private final boolean allowRemote;
    private final int threads;
    private final int streams;
    private final int playersPerStream;
    private final int vhosts;
    private final String app;
    private final long bitrate;
    private final int fps;
    private final int gop;
    private final long durationNanos;
    private final long timeoutNanos;
    private final double rate;
    private final boolean verify;

    private RtmpConfig(final Builder b, final InetAddress address)
    {
        host = b.host;
        this.address = address;
        port = b.port;
        allowRemote = b.allowRemote;
        threads = b.threads;
        streams = b.streams;
        playersPerStream = b.players;
        vhosts = b.vhosts;
        app = b.app;
        bitrate = b.bitrate;
        fps = b.fps;
        gop = b.gop > 0 ? b.gop : b.fps;
        durationNanos = b.durationNanos;
        timeoutNanos = b.timeoutNanos;
        rate = b.rate;
        verify = b.verify;
    }

    public static Builder builder(final int port)
    {
        return new Builder().port(port);
    }

    public String host()
    {
        return host;
    }

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

    public int streams()
    {
        return streams;
    }

    public int playersPerStream()
    {
        return playersPerStream;
    }

    public int players()
    {
        return streams * playersPerStream;
    }

    /** Publishers and players together: the connections the run opens. */
    public int connections()
    {
        return streams + players();
    }

    public int vhosts()
    {
        return vhosts;
    }

    public String app()
    {
        return app;
    }

    /** Video bits per second of each publisher (audio adds {@link SyntheticMedia#AUDIO_BITS_PER_SECOND}). */
    public long bitrate()
    {
        return bitrate;
    }

    public int fps()
    {
        return fps;
    }

    /** Frames from one keyframe to the next. */
    public int gop()
    {
        return gop;
    }

    public long durationNanos()
    {
        return durationNanos;
    }

    public long timeoutNanos()
    {
        return timeoutNanos;
    }

    /** Player arrivals per second, all streams together; 0 = every player as soon as the publishers are live. */
    public double rate()
    {
        return rate;
    }

    public boolean isOpenLoop()
    {
        return rate > 0;
    }

    public boolean verify()
    {
        return verify;
    }

    /** Publishers stop sending this long before the end, so that every frame sent can reach every player. */
    public long drainNanos()
    {
        return Math.min(MAX_DRAIN_NANOS, durationNanos / 4);
    }

    /** Stream index → its vhost index. */
    public int vhostOf(final int stream)
    {
        return stream % vhosts;
    }

    /** The vhost name in the tcUrl: the --host itself with one vhost, else {@code vhostK}. */
    public String vhostName(final int stream)
    {
        return vhosts == 1 ? host : "vhost" + vhostOf(stream);
    }

    public String streamName(final int stream)
    {
        return "stream" + stream;
    }

    public String tcUrl(final int stream)
    {
        return "rtmp://" + vhostName(stream) + ":" + port + "/" + app;
    }

    /** Player n (0-based over the run) plays stream n mod S: arrivals alternate between streams. */
    public int streamOfPlayer(final int player)
    {
        return player % streams;
    }

    /** Player n's number within its stream. */
    public int indexInStream(final int player)
    {
        return player / streams;
    }

    public static final class Builder
    {
        private String host = DEFAULT_HOST;
        private int port;
        private boolean allowRemote;
        private int threads = DEFAULT_THREADS;
        private int streams = DEFAULT_STREAMS;
        private int players = DEFAULT_PLAYERS;
        private int vhosts = 1;
        private String app = DEFAULT_APP;
        private long bitrate = DEFAULT_BITRATE;
        private int fps = DEFAULT_FPS;
        private int gop;
        private long durationNanos = DEFAULT_DURATION_NANOS;
        private long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
        private double rate;
        private boolean verify;

        private Builder()
        {
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

        public Builder streams(final int streams)
        {
            this.streams = streams;
            return this;
        }

        /** Players per stream. */
        public Builder players(final int players)
        {
            this.players = players;
            return this;
        }

        public Builder vhosts(final int vhosts)
        {
            this.vhosts = vhosts;
            return this;
        }

        public Builder app(final String app)
        {
            this.app = app;
            return this;
        }

        public Builder bitrate(final long bitsPerSecond)
        {
            this.bitrate = bitsPerSecond;
            return this;
        }

        public Builder fps(final int fps)
        {
            this.fps = fps;
            return this;
        }

        /** 0 = one keyframe a second (--fps). */
        public Builder gop(final int gop)
        {
            this.gop = gop;
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

        /** Player arrivals per second; 0 = all at once. */
        public Builder rate(final double rate)
        {
            this.rate = rate;
            return this;
        }

        public Builder verify(final boolean verify)
        {
            this.verify = verify;
            return this;
        }

        /** @throws IllegalArgumentException naming the option at fault. */
        public RtmpConfig build()
        {
            require(port >= 1 && port <= 65535, "--port must be in 1..65535, got " + port);
            require(threads >= 1 && threads <= MAX_THREADS, "--threads must be in 1.." + MAX_THREADS + ", got " + threads);
            require(streams >= 1, "--streams must be >= 1, got " + streams);
            require(players >= 0, "--players must be >= 0, got " + players);
            require((long)streams * (players + 1) <= Integer.MAX_VALUE / 2, "--streams x --players is too large");
            require(vhosts >= 1 && vhosts <= streams, "--vhosts must be in 1..--streams (" + streams + "), got " + vhosts);
            require(app != null && !app.isEmpty() && app.indexOf('/') < 0 && app.chars().allMatch(c -> c > ' ' && c < 127),
                "--app must be one printable word without '/', got '" + app + "'");
            require(bitrate >= MIN_BITRATE && bitrate <= MAX_BITRATE,
                "--bitrate must be in " + MIN_BITRATE + ".." + MAX_BITRATE + " bit/s, got " + bitrate);
            require(fps >= 1 && fps <= MAX_FPS, "--fps must be in 1.." + MAX_FPS + ", got " + fps);
            require(gop >= 0, "--gop must be >= 1, got " + gop);
            require(durationNanos >= TimeUnit.MILLISECONDS.toNanos(100), "--duration must be at least 100ms");
            require(timeoutNanos > 0, "--timeout must be > 0");
            require(rate >= 0 && !Double.isNaN(rate) && !Double.isInfinite(rate), "--rate must be > 0, got " + rate);
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
            return new RtmpConfig(this, address);
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
