package dev.mpserver.loadgen.cli;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.loadgen.engine.LoadGenRun;
import dev.mpserver.loadgen.engine.ProgressListener;
import dev.mpserver.loadgen.report.JsonReport;
import dev.mpserver.loadgen.report.ProgressPrinter;
import dev.mpserver.loadgen.report.Report;
import dev.mpserver.loadgen.report.RunHtml;
import dev.mpserver.loadgen.report.SummaryTable;
import dev.mpserver.loadgen.report.WarmUpSummary;
import dev.mpserver.loadgen.server.ServerCountersView;
import dev.mpserver.loadgen.warmup.SelfWarmUp;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.function.Supplier;

/** What {@code run} and {@code storm} do once their options are parsed: check, run, print, write JSON. */
final class Execution
{
    /** Exit status when the run could not be carried out or its JSON not written. */
    static final int EXIT_RUN_ERROR = 3;
    /** File descriptors kept back from --concurrency for the JVM's own use. */
    private static final long RESERVED_FDS = 64;

    private Execution()
    {
    }

    /** Turn the builder into a config, or a picocli usage error that names the option at fault. */
    static LoadConfig build(final CommandLine commandLine, final CommonOptions options, final Supplier<LoadConfig.Builder> builder)
    {
        final String complaint = options.check();
        if (complaint != null)
        {
            throw new CommandLine.ParameterException(commandLine, complaint);
        }
        final LoadConfig config;
        try
        {
            config = builder.get().build();
        }
        catch (final IllegalArgumentException e)
        {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
        final long maxFds = maxFileDescriptors();
        final long wanted = Math.min(config.conns(), config.concurrency());
        if (maxFds > 0 && wanted > maxFds - RESERVED_FDS)
        {
            throw new CommandLine.ParameterException(commandLine, "--concurrency " + wanted + " needs more file "
                + "descriptors than this process may open (" + maxFds + ", less " + RESERVED_FDS + " for the JVM); "
                + "lower --concurrency or raise the limit (ulimit -n)");
        }
        return config;
    }

    static int execute(final CommandLine commandLine, final LoadConfig config, final ProgressMode mode, final long warmUpConns,
        final java.nio.file.Path json, final java.nio.file.Path html, final ServerCountersView serverCounters)
    {
        final PrintWriter out = commandLine.getOut();
        final PrintWriter err = commandLine.getErr();
        if (warmUpConns > 0 && mode != ProgressMode.off)
        {
            err.println("loadgen: warming up its own code first (" + Math.min(warmUpConns, config.conns())
                + " clients against a server inside loadgen, at most 3 s; --warm-up 0 skips it)");
            err.flush();
        }
        final WarmUpSummary warmUp = SelfWarmUp.run(config, warmUpConns);
        final boolean rewrite = mode.rewritesInPlace();
        final ProgressPrinter printer = mode == ProgressMode.off ? null : new ProgressPrinter(err, rewrite, config.conns());
        final LoadGenRun run = new LoadGenRun(config)
            .onProgress(printer == null ? ProgressListener.NONE : printer)
            .serverCounters(serverCounters);

        // Ctrl-C: stop the run, still print what was measured.
        final StopOnInterrupt stop = new StopOnInterrupt(run::requestStop);
        try
        {
            final Report report;
            try
            {
                report = run.call().warmUp(warmUp);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                err.println("loadgen: interrupted");
                return EXIT_RUN_ERROR;
            }
            finally
            {
                if (printer != null)
                {
                    printer.finish();
                }
            }
            out.print(SummaryTable.render(report));
            out.flush();
            if (json != null)
            {
                try
                {
                    JsonReport.write(report, json);
                }
                catch (final IOException e)
                {
                    err.println("loadgen: cannot write --json " + json + ": " + e);
                    return EXIT_RUN_ERROR;
                }
            }
            if (html != null)
            {
                try
                {
                    RunHtml.write(report, html);
                }
                catch (final IOException e)
                {
                    err.println("loadgen: cannot write --html " + html + ": " + e);
                    return EXIT_RUN_ERROR;
                }
            }
            if (report.engineError() != null)
            {
                err.println("loadgen: engine error: " + report.engineError());
                return EXIT_RUN_ERROR;
            }
            return report.exitCode();
        }
        finally
        {
            stop.close();
        }
    }

    static long maxFileDescriptors()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean)
        {
            return ((com.sun.management.UnixOperatingSystemMXBean)os).getMaxFileDescriptorCount();
        }
        return -1;
    }
}
