package dev.mpserver.protocol.launch;

/**
 * The main classes that one mpserver program starts in another JVM, by name: the master starts
 * workers and the workers' class-data training run, loadgen's bench and the tests start mpserver.
 * Named here rather than linked, so that a module points only toward {@code protocol} for them
 * (each module's tests check that the name is still its class).
 */
public final class MainClasses
{
    /** The {@code mpserver} command (master module). */
    public static final String MPSERVER = "dev.mpserver.master.cli.MpServer";
    /** A worker process as the master spawns it (worker module): see {@link WorkerLaunch}. */
    public static final String WORKER = "dev.mpserver.worker.WorkerMain";
    /** The training run for the workers' class-data-sharing archive (worker module). */
    public static final String CDS_TRAINING = "dev.mpserver.worker.CdsTraining";

    private MainClasses()
    {
    }
}
