package dev.mpserver.master;

import dev.mpserver.master.counters.CountersPublisher;
import dev.mpserver.master.counters.MasterCounters;
import dev.mpserver.master.log.LogReopen;
import dev.mpserver.master.process.ShutdownSequence;
import dev.mpserver.master.process.Supervisor;
import dev.mpserver.master.process.WorkerTable;
import dev.mpserver.master.pump.ChannelPump;
import dev.mpserver.master.routing.HandoffRouter;
import dev.mpserver.master.signal.SignalRing;
import dev.mpserver.master.signal.SignalWaiter;
import dev.mpserver.protocol.counters.MasterCounter;
import dev.mpserver.protocol.posix.Signals;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The master's loop, as nginx's {@code ngx_master_process_cycle}: wait; take the signals that
 * arrived into flags; let each collaborator act on its flag; exit when done. The signal handler
 * only records ({@link SignalWaiter}); nothing here does a collaborator's job.
 *
 * <pre>
 *   ┌─▶ idle strategy: sigsuspend, or not (signals waiting, polling a burst)
 *   │   signals → flags           SIGCHANNEL(fd) marks that channel; SIGIO = RT queue overflow
 *   │   rescan                    every channel, and reap (a SIGCHLD may have been lost)
 *   │   pump.doWork               read the marked channels, dispatch their frames
 *   │   reap                      supervisor        (SIGCHLD, rescan)
 *   │   stop                      shutdown sequence (SIGQUIT graceful; SIGTERM, SIGINT fast)
 *   │   reload                    supervisor        (SIGHUP)
 *   │   tick                      router, supervisor, shutdown sequence (SIGALRM)
 *   │   reopen, status            logReopen, publisher (SIGUSR1)
 *   │   router.onPass             which workers may take new shards themselves (the shard table)
 *   │   pump.flush                what this pass queued for each worker, in few sendmsg calls
 *   │   publisher                 gauges, every 50 ms
 *   │   done?                     stopping and no process left (0), or every worker fatal (2)
 *   └── take the signals that arrived during the pass without sleeping
 * </pre>
 */
final class MasterCycle
{
    private static final Logger LOG = LogManager.getLogger(MasterCycle.class);
    /** {@link #pass}: the master goes on (not an exit code: those are 0 and above). */
    private static final int RUNNING = -1;

    // Waiting, and what woke it.
    private final IdleStrategy idle;
    private final SignalRing ring;
    private final SignalWaiter waiter;
    private final CachedNanoClock clock;
    private final MasterCounters counters;
    // Whom the flags go to.
    private final ChannelPump pump;
    private final Supervisor supervisor;
    private final ShutdownSequence shutdown;
    private final HandoffRouter router;
    private final CountersPublisher publisher;
    private final LogReopen logReopen;
    /** Whether any process is left: the cycle ends when none is. */
    private final WorkerTable table;

    private boolean reap;
    private boolean tick;
    /** Frames the last pass read: the idle strategy polls on while channels are busy. */
    private int framesRead;
    private boolean rescan;
    private boolean stopFast;
    private boolean stopGraceful;
    private boolean reload;
    private boolean status;

    MasterCycle(
        final IdleStrategy idle, final SignalRing ring, final SignalWaiter waiter, final CachedNanoClock clock,
        final MasterCounters counters,
        final ChannelPump pump, final Supervisor supervisor, final ShutdownSequence shutdown, final HandoffRouter router,
        final CountersPublisher publisher, final LogReopen logReopen, final WorkerTable table)
    {
        this.idle = idle;
        this.ring = ring;
        this.waiter = waiter;
        this.clock = clock;
        this.counters = counters;
        // each flag's collaborator
        this.pump = pump;
        this.supervisor = supervisor;
        this.shutdown = shutdown;
        this.router = router;
        this.publisher = publisher;
        this.logReopen = logReopen;
        this.table = table;
    }

    /** @return {@link Master#EXIT_OK}, or {@link Master#EXIT_FATAL} when every worker exited with a fatal configuration error */
    int run()
    {
        clock.update(System.nanoTime());
        supervisor.startWorkers();
        int exitCode = RUNNING;
        while (RUNNING == exitCode)
        {
            exitCode = pass();
        }
        return exitCode;
    }

    /**
     * One pass: sleeps until a signal (or polls while channels are busy), then acts on what the
     * signals recorded. A method of its own, not the body of {@link #run}'s loop: a loop's body
     * inside one long call is compiled only by on-stack replacement, after 60 000 iterations (C1's
     * back-edge threshold), which a master passing a few hundred times a second reaches after
     * minutes; a method is compiled after 200 calls.
     *
     * @return {@link #RUNNING}, or the master's exit code
     */
    private int pass()
    {
        idle.idle(framesRead);
        clock.update(System.nanoTime());
        takeSignals();
        if (rescan)
        {
            counters.increment(MasterCounter.RESCANS);
            pump.readEveryChannel();
        }
        framesRead = pump.doWork();
        if (reap || rescan)
        {
            supervisor.reap();
        }
        if (stopFast)
        {
            shutdown.beginFast();
        }
        else if (stopGraceful)
        {
            shutdown.beginGraceful();
        }
        if (reload)
        {
            supervisor.reload();
        }
        if (tick)
        {
            router.onTick();
            supervisor.onTick();
            shutdown.onTick();
        }
        if (status)
        {
            logReopen.reopen(); // --log-file, after logrotate: nginx's USR1
            publisher.logStatus();
        }
        router.onPass();
        pump.flush();
        publisher.onPass();
        if (0 == table.processes())
        {
            if (!shutdown.isRunning())
            {
                return Master.EXIT_OK;
            }
            if (supervisor.fatalWorkerExit())
            {
                LOG.error("every worker exited with a fatal configuration error; the master stops");
                return Master.EXIT_FATAL;
            }
        }
        // Signals that arrived during this pass are taken now: a busy master does not go back
        // to sleep (sigsuspend + handler) only to be woken at once.
        waiter.drain();
        return RUNNING;
    }

    private void takeSignals()
    {
        reap = false;
        tick = false;
        rescan = ring.overflowed();
        stopFast = false;
        stopGraceful = false;
        reload = false;
        status = false;
        for (int i = 0; i < ring.size(); i++)
        {
            final int signo = ring.signo(i);
            if (signo == Signals.SIGCHANNEL)
            {
                counters.increment(MasterCounter.RT_SIGNALS);
                pump.onChannelSignal(ring.fd(i));
            }
            else if (signo == Signals.SIGIO)
            {
                // The RT queue overflowed: edges were lost. The queued ones add nothing a rescan will not find.
                counters.increment(MasterCounter.OVERFLOWS);
                counters.add(MasterCounter.DISCARDED_SIGNALS, waiter.discardChannelSignals());
                rescan = true;
            }
            else if (signo == Signals.SIGCHLD)
            {
                reap = true;
            }
            else if (signo == Signals.SIGALRM)
            {
                tick = true;
            }
            else if (signo == Signals.SIGTERM || signo == Signals.SIGINT)
            {
                stopFast = true;
            }
            else if (signo == Signals.SIGQUIT)
            {
                stopGraceful = true;
            }
            else if (signo == Signals.SIGHUP)
            {
                reload = true;
            }
            else if (signo == Signals.SIGUSR1)
            {
                status = true;
            }
        }
        ring.clear();
    }
}
