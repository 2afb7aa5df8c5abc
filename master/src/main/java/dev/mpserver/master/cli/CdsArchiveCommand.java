package dev.mpserver.master.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;

import dev.mpserver.master.process.CdsArchive;
import dev.mpserver.master.process.WorkerLauncher;
import dev.mpserver.protocol.build.BuildVersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code mpserver cds-archive}: makes the workers' class-data archive for this installation and
 * this JDK now, instead of at the first start (which needs the lib directory writable by the
 * server's user). {@code mvn package} runs it for the tree.
 */
@Command(
    name = "cds-archive",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersionProvider.class,
    description = {
        "Make the workers' class-data-sharing archive (lib/worker-<JDK>.jsa) for this installation and the JDK that runs " +
            "this command, replacing any older one for that JDK: workers then start faster. A server makes it at its first start when its lib " +
            "directory is writable; run this as the installation's owner when it is not (or after changing JDKs)."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:archive made", "2:not run from an installation's lib directory, lib not writable, or the training failed"})
public final class CdsArchiveCommand implements Callable<Integer>
{
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException
    {
        final CdsArchive archive = CdsArchive.forThisJvm();
        if (null == archive.path())
        {
            throw new CommandFailedException("not run from an installation's lib directory (bin/mpserver, scripts/mpserver): " +
                "there is nowhere to put an archive");
        }
        if (!Files.isWritable(archive.path().getParent()))
        {
            throw new CommandFailedException(archive.path().getParent() + " is not writable: run this as the installation's owner");
        }
        final long started = System.nanoTime();
        archive.make(WorkerLauncher.startOptions());
        spec.commandLine().getOut().println(spec.qualifiedName() + ": " + archive.path() + " made for this JDK in " +
            (System.nanoTime() - started) / 1_000_000L + " ms");
        return CommandErrors.EXIT_OK;
    }
}
