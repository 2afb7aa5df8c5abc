package dev.mpserver.loadgen.cli;

import dev.mpserver.protocol.build.BuildInfo;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code --version} of every loadgen command: the command, the build's version and commit, the JVM. */
public final class VersionProvider implements CommandLine.IVersionProvider
{
    @Spec
    CommandSpec spec;

    @Override
    public String[] getVersion()
    {
        return BuildInfo.current().versionLines(spec.qualifiedName()).toArray(new String[0]);
    }
}
