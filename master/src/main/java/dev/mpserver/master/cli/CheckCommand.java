package dev.mpserver.master.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.mpserver.master.log.LogFile;
import dev.mpserver.master.process.CdsArchive;
import dev.mpserver.protocol.build.BuildVersionProvider;
import dev.mpserver.protocol.posix.Errno;
import dev.mpserver.protocol.posix.Posix;
import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.posix.SockAddrIn;
import dev.mpserver.protocol.rundir.PidFile;
import dev.mpserver.protocol.rundir.RunDirectory;
import dev.mpserver.protocol.rundir.RunDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver check}: nginx's {@code -t}. Takes the server's own options and checks them and
 * the environment a start would meet, without starting anything: option values, the fd limit
 * against {@code --max-clients}, the port (bound and released), the run directory (its safety,
 * and no other server on it), the log file, and the workers' class-data archive (reported only).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    sortOptions = false,
    description = {
        "Check the server's options and the environment a start with them would meet, then exit, like nginx -t: the same " +
            "options as mpserver itself (an @FILE too). One line per check on stdout; the first failure, in one line on stderr, " +
            "ends it with status 2."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the server would start with these options", "2:it would not: the line on stderr says why"})
public final class CheckCommand implements Callable<Integer>
{
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final String name = spec.qualifiedName();
        options.validate(spec.commandLine());
        final int workers = options.workerCount();
        final int standby = options.standbyCount();
        out.println(name + ": options ok: " + (0 == workers ? "single-process mode" : workers + (1 == workers ? " worker" : " workers") +
            (0 == standby ? "" : " and " + standby + " standby") + " (at most " + options.maxWorkers + ")") + ", " +
            options.maxClients() + " clients per worker at most");
        out.println(name + ": fd limit " + ServerOptions.fdLimit() + " fits " + options.maxClients() + " clients per worker");
        checkPort();
        out.println(name + ": " + options.host + ":" + (0 == options.port ? "0 (a free port, chosen at start)" : options.port + " is free"));
        final Path runDir = null == options.runDir && 0 == options.port ? RunDirectory.defaultFor(0).getParent()
            : options.runDirFor(options.port).toAbsolutePath().normalize();
        out.println(name + ": run directory " + checkRunDirectory(runDir));
        final String diskWarning = RunDirectory.diskWarning(runDir);
        if (null != diskWarning)
        {
            out.println(name + ": warning: " + diskWarning);
        }
        if (null != options.logFile)
        {
            final LogFile logFile = new LogFile(options.logFile);
            final String problem = logFile.problem();
            if (null != problem)
            {
                throw new CommandFailedException(problem);
            }
            out.println(name + ": log file " + logFile.path() + " is writable");
        }
        if (workers > 0)
        {
            out.println(name + ": workers' class-data archive: " + CdsArchive.forThisJvm().describe());
        }
        out.println(name + ": successful");
        return CommandErrors.EXIT_OK;
    }

    private void checkPort()
    {
        if (0 == options.port)
        {
            return;
        }
        final int fd;
        try
        {
            fd = Posix.listenTcp(SockAddrIn.parseIpv4(options.host), options.port, 1);
        }
        catch (final PosixException ex)
        {
            throw new CommandFailedException("cannot listen on " + options.host + ":" + options.port + ": " +
                (ex.errno() == Errno.EADDRINUSE ? "port " + options.port + " is already in use" : Posix.strerror(ex.errno())));
        }
        Posix.closeQuietly(fd);
    }

    /**
     * @param dir the run directory, or where its mpserver-&lt;port&gt; would be made when the port is chosen at start
     * @return what the start would do with it, in words
     */
    private String checkRunDirectory(final Path dir)
    {
        if (null == options.runDir && 0 == options.port)
        {
            return "mpserver-<port> under " + dir + " (the port is chosen at start)";
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            Path existing = dir.getParent();
            while (null != existing && !Files.isDirectory(existing))
            {
                existing = existing.getParent();
            }
            if (null == existing || !Files.isWritable(existing))
            {
                throw new RunDirectoryException("cannot create run directory " + dir + ": " +
                    (null == existing ? "no directory above it exists" : existing + " is not writable") + " (choose another with --run-dir)");
            }
            return dir + " will be created (mode 0700)";
        }
        RunDirectory.verify(dir);
        if (!Files.isWritable(dir))
        {
            throw new RunDirectoryException("run directory " + dir + " is not writable (choose another with --run-dir)");
        }
        final long pid = PidFile.read(dir);
        if (pid != PidFile.NONE && PidFile.isServer(pid, MpServer.class.getName()))
        {
            throw new RunDirectoryException("another mpserver (pid " + pid + ") runs with run directory " + dir);
        }
        return dir + " is safe and writable" + (pid == PidFile.NONE ? "" : " (its pid file is stale: a start replaces it)");
    }
}
