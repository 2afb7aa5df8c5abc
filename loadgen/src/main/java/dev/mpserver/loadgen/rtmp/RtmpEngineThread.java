package dev.mpserver.loadgen.rtmp;

import dev.mpserver.loadgen.engine.EngineTiming;
import dev.mpserver.loadgen.engine.RunControl;
import dev.mpserver.loadgen.engine.ThreadMetrics;
import dev.mpserver.loadgen.engine.TimerHeap;
import dev.mpserver.protocol.rtmp.Amf0Reader;
import dev.mpserver.protocol.rtmp.Amf0Writer;
import dev.mpserver.protocol.rtmp.ChunkEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * One event-loop thread of an RTMP run: a {@link Selector} over its share of the clients. Thread
 * {@code i} of {@code T} owns publishers {@code i, i+T, …} (started at time zero) and players
 * {@code i, i+T, …} (started once every publisher is live or has failed, at their intended arrival
 * with --rate, else at once). Input and output go through one pair of buffers per thread; a client
 * keeps only what the socket left over (see {@link RtmpClient}).
 */
final class RtmpEngineThread implements Runnable
{
    private static final Logger LOG = LogManager.getLogger(RtmpEngineThread.class);

    private static final int MAX_STARTS_PER_TURN = 64;
    private static final int INPUT_CAPACITY = 64 * 1024;
    /** Room for commands and control messages beside the largest frame. */
    private static final int OUTPUT_SLACK = 16 * 1024;

    private final int index;
    private final int threads;
    private final RtmpConfig config;
    private final RunControl control;
    private final RtmpRun.Shared shared;
    private final ThreadMetrics metrics;
    private final ClientRecords publisherRecords;
    private final ClientRecords playerRecords;
    private final InetSocketAddress address;
    private final RtmpClient[] clients;
    private final int ownPublishers;
    private final int ownPlayers;
    private final TimerHeap timers;
    private final ByteBuffer inDirect = ByteBuffer.allocateDirect(INPUT_CAPACITY);
    private final UnsafeBuffer in = new UnsafeBuffer(inDirect);
    private final ByteBuffer outDirect;
    private final UnsafeBuffer out;
    private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
    private final Amf0Writer amfWriter = new Amf0Writer();
    private final Amf0Reader amfReader = new Amf0Reader();
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    private final long timeoutNanos;
    private final long timeoutScanNanos;
    private Selector selector;
    private int nextPlayer;

    RtmpEngineThread(
        final int index,
        final int threads,
        final RtmpConfig config,
        final RunControl control,
        final RtmpRun.Shared shared,
        final ThreadMetrics metrics,
        final ClientRecords publisherRecords,
        final ClientRecords playerRecords)
    {
        this.index = index;
        this.threads = threads;
        this.config = config;
        this.control = control;
        this.shared = shared;
        this.metrics = metrics;
        this.publisherRecords = publisherRecords;
        this.playerRecords = playerRecords;
        this.address = new InetSocketAddress(config.address(), config.port());
        this.timeoutNanos = config.timeoutNanos();
        this.timeoutScanNanos = EngineTiming.timeoutScanNanos(timeoutNanos);
        ownPublishers = (int)RunControl.ownShare(config.streams(), index, threads);
        ownPlayers = (int)RunControl.ownShare(config.players(), index, threads);
        clients = new RtmpClient[ownPublishers + ownPlayers];
        for (int k = 0; k < ownPublishers; k++)
        {
            clients[k] = new Publisher(this, k, index + k * threads);
        }
        for (int k = 0; k < ownPlayers; k++)
        {
            clients[ownPublishers + k] = new Player(this, ownPublishers + k, index + k * threads);
        }
        timers = new TimerHeap(Math.max(1, clients.length));
        final int frame = SyntheticMedia.keyFrameLength(config.bitrate(), config.fps(), config.gop());
        final int capacity = ChunkEncoder.maxEncodedLength(RtmpClient.OUT_CHUNK_SIZE, RtmpClient.VIDEO_CSID, frame) + OUTPUT_SLACK;
        outDirect = ByteBuffer.allocateDirect(capacity);
        out = new UnsafeBuffer(outDirect);
    }

    @Override
    public void run()
    {
        try (Selector s = Selector.open())
        {
            selector = s;
            loop();
        }
        catch (final Throwable t)
        {
            control.engineFailed(t);
            endAll();
        }
        finally
        {
            control.engineDone();
        }
    }

    private void loop() throws IOException
    {
        final long deadline = control.deadline();
        for (int k = 0; k < ownPublishers; k++)
        {
            metrics.increment(RtmpCounters.PUBLISHERS_STARTED);
            clients[k].open(address, System.nanoTime());
        }
        long nextScan = System.nanoTime() + timeoutScanNanos;
        while (true)
        {
            long now = System.nanoTime();
            if (now - deadline >= 0 || control.stopRequested())
            {
                endAll();
                return;
            }
            final long nextArrival = startPlayers(now);
            now = System.nanoTime();
            while (timers.size() > 0 && timers.peekDue() - now <= 0)
            {
                final int slot = timers.peekSlot();
                timers.cancel(slot);
                clients[slot].onTimer(now);
            }
            if (now - nextScan >= 0)
            {
                scanTimeouts(now);
                nextScan = now + timeoutScanNanos;
            }
            if (nextPlayer >= ownPlayers && allFinished())
            {
                return;
            }
            long wake = Math.min(deadline, nextScan);
            wake = Math.min(wake, timers.peekDue());
            wake = Math.min(wake, nextArrival);
            EngineTiming.selectUntil(selector, onSelected, wake);
        }
    }

    /** Start the players that are due. @return when the next one is due. */
    private long startPlayers(final long now)
    {
        final long playersStart = shared.playersStartNanos();
        if (playersStart == RtmpRun.Shared.NOT_YET)
        {
            return now + EngineTiming.NANOS_PER_MILLI; // the publishers have not all settled yet: look again soon
        }
        int started = 0;
        while (nextPlayer < ownPlayers)
        {
            if (started == MAX_STARTS_PER_TURN)
            {
                return now;
            }
            final int n = index + nextPlayer * threads;
            final long intended = config.isOpenLoop() ? playersStart + (long)(n * 1e9 / config.rate()) : playersStart;
            if (intended - now > 0)
            {
                return intended;
            }
            final RtmpClient player = clients[ownPublishers + nextPlayer];
            nextPlayer++;
            started++;
            metrics.increment(RtmpCounters.PLAYERS_STARTED);
            player.open(address, config.isOpenLoop() ? intended : System.nanoTime());
        }
        return TimerHeap.NONE;
    }

    private boolean allFinished()
    {
        for (final RtmpClient c : clients)
        {
            if (c.open)
            {
                return false;
            }
        }
        return true;
    }

    private void scanTimeouts(final long now)
    {
        for (final RtmpClient c : clients)
        {
            if (c.open && c.isAwaitingServer() && now - c.lastProgress() > timeoutNanos)
            {
                c.timedOut();
            }
        }
    }

    private void endAll()
    {
        for (final RtmpClient c : clients)
        {
            c.endOfRun();
        }
    }

    private void onSelected(final SelectionKey key)
    {
        if (key.isValid())
        {
            ((RtmpClient)key.attachment()).onReady(key.readyOps());
        }
    }

    void publisherSettled()
    {
        shared.publisherSettled();
    }

    RtmpConfig config()
    {
        return config;
    }

    ThreadMetrics metrics()
    {
        return metrics;
    }

    ClientRecords records(final int role)
    {
        return role == RtmpCounters.PLAYER ? playerRecords : publisherRecords;
    }

    Selector selector()
    {
        return selector;
    }

    long startNanos()
    {
        return control.startNanos();
    }

    long deadline()
    {
        return control.deadline();
    }

    ByteBuffer inDirect()
    {
        return inDirect;
    }

    UnsafeBuffer in()
    {
        return in;
    }

    ByteBuffer outDirect()
    {
        return outDirect;
    }

    UnsafeBuffer out()
    {
        return out;
    }

    ExpandableArrayBuffer body()
    {
        return body;
    }

    /** The command writer, wrapped at the start of {@link #body()}. */
    Amf0Writer amfWriter()
    {
        return amfWriter.wrap(body, 0);
    }

    Amf0Reader amfReader()
    {
        return amfReader;
    }

    void schedule(final int slot, final long due)
    {
        timers.schedule(slot, due);
    }

    void cancelTimer(final int slot)
    {
        timers.cancel(slot);
    }

    void logFailure(final RtmpClient client, final RtmpFailure kind)
    {
        if (LOG.isDebugEnabled())
        {
            LOG.debug("{} failed in {}: {}", client, client.phase.label(), kind.label());
        }
    }

    @Override
    public String toString()
    {
        return "loadgen-rtmp-" + index;
    }
}
