package dev.mpserver.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.mpserver.protocol.channel.Channel;
import dev.mpserver.protocol.channel.ChannelCommand;
import dev.mpserver.protocol.channel.ChannelFrame;
import dev.mpserver.protocol.launch.WorkerConfig;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.SockAddrIn;

/**
 * The build's training run for the worker's class-data-sharing archive: one real worker start-up,
 * from reading its arguments through logging and the JNR binding to READY on a channel, then QUIT_NOW.
 * Run by the master's {@code CdsArchive} (for {@code mvn package}, at an installation's first start,
 * or by {@code mpserver cds-archive}) as {@code java -XX:ArchiveClassesAtExit=ARCHIVE [the workers'
 * start options] -cp LIB/* dev.mpserver.worker.CdsTraining ARCHIVE}; {@code CdsArchive} records
 * what the archive was made for and passes it to workers only when they match (CDS refuses an
 * archive made for another JDK or class path).
 *
 * <p>Why: a worker JVM spends most of its spawn-to-READY loading and linking the same few thousand
 * classes every time; mapping them from the archive instead takes a large part of that away.
 */
public final class CdsTraining
{
    private static final long READY_TIMEOUT_NANOS = 30_000_000_000L;
    /** What a default worker under our usual fd limit (20 000) serves: the training sizes its tables alike. */
    private static final int TRAINING_MAX_CLIENTS = WorkerConfig.defaultMaxClients(20_000);
    /** Enough warm-up clients to load every class a served, handed-off and handed-over client needs. */
    private static final int TRAINING_WARM_UP_CLIENTS = 50;

    private CdsTraining()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 1)
        {
            System.err.println("usage: CdsTraining ARCHIVE   (run with -XX:ArchiveClassesAtExit=ARCHIVE)");
            System.exit(2);
        }
        // The JVM writes the archive at exit and will not replace a stale (read-only) one: clear it now.
        Files.deleteIfExists(Path.of(args[0]));
        final int[] pair = Posix.socketPair();
        final int listenFd = Posix.listenTcp(SockAddrIn.parseIpv4("127.0.0.1"), 0, 16);
        final Path runDir = Files.createTempDirectory("mpserver-cds-training-");
        final Thread master = new Thread(() -> actAsMaster(pair[0]), "training-master");
        master.start();
        final List<String> argv = new ArrayList<>(new WorkerConfig(1, TRAINING_MAX_CLIENTS,
            WorkerConfig.DEFAULT_IDLE_TIMEOUT_MS, WorkerConfig.DEFAULT_OUTPUT_CAP, WorkerConfig.DEFAULT_DRAIN_TIMEOUT_MS,
            WorkerConfig.DEFAULT_LINGER_TIMEOUT_MS, runDir).withWarmUp(TRAINING_WARM_UP_CLIENTS)
            .toArguments());
        argv.addAll(List.of(WorkerMain.ARG_CHANNEL_FD, Integer.toString(pair[1]), WorkerMain.ARG_LISTEN_FD, Integer.toString(listenFd)));
        final int exit = WorkerMain.run(argv);
        master.join();
        Posix.closeQuietly(listenFd);
        try (var files = Files.list(runDir))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(runDir);
        if (exit != 0)
        {
            System.err.println("CdsTraining: the worker exited with " + exit);
            System.exit(exit);
        }
    }

    private static void sleepAMillisecond()
    {
        try
        {
            Thread.sleep(1);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for WARM (READY, then the warm-up's classes loaded too), then tells the worker to stop at once. */
    private static void actAsMaster(final int fd)
    {
        try (Channel channel = new Channel(fd))
        {
            final boolean[] ready = new boolean[1];
            final long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
            while (!ready[0] && !channel.isClosed() && System.nanoTime() < deadline)
            {
                channel.receive((frame, passed) -> ready[0] |= frame.command() == ChannelCommand.WARM);
                sleepAMillisecond();
            }
            channel.send(ChannelCommand.QUIT_NOW, 0, 0, 0, ChannelFrame.NO_FD);
        }
    }
}
