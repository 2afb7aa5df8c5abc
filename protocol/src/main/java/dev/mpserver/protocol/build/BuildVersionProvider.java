package dev.mpserver.protocol.build;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code --version} of every mpserver and loadgen command ({@code versionProvider} of their
 * picocli commands): the command as typed, the build's version and commit, the JVM.
 */
public final class BuildVersionProvider implements CommandLine.IVersionProvider
{
    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion()
    {
        return BuildInfo.current().versionLines(spec.qualifiedName()).toArray(new String[0]);
    }
}
