package dev.mpserver.protocol.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * What was built: the project version and the git commit, written into
 * {@code mpserver-build.properties} by Maven when the jar was made (never hard-coded). A build
 * from a tree without {@code .git}, or without git, has commit {@value #UNKNOWN}.
 */
public final class BuildInfo
{
    public static final String UNKNOWN = "unknown";
    static final String RESOURCE = "mpserver-build.properties";

    private static final BuildInfo CURRENT = load();

    private final String version;
    private final String commit;
    private final boolean modified;

    BuildInfo(final String version, final String commit, final boolean modified)
    {
        this.version = version;
        this.commit = commit;
        this.modified = modified;
    }

    /** This build's. */
    public static BuildInfo current()
    {
        return CURRENT;
    }

    /** Reads what the build wrote; a value Maven left unfiltered (no git, no .git) is {@value #UNKNOWN}. */
    static BuildInfo of(final Properties properties)
    {
        final String commit = value(properties, "commit");
        return new BuildInfo(value(properties, "version"), commit,
            !UNKNOWN.equals(commit) && "true".equals(value(properties, "dirty")));
    }

    public String version()
    {
        return version;
    }

    /** The abbreviated commit id, or {@value #UNKNOWN}. */
    public String commit()
    {
        return commit;
    }

    /** The tree had changes that were not committed when it was built. */
    public boolean modified()
    {
        return modified;
    }

    /**
     * What {@code --version} prints: the command, version and commit, then the JVM it runs on.
     *
     * @param command the command's name as typed, e.g. {@code mpserver stat}
     */
    public List<String> versionLines(final String command)
    {
        return List.of(
            command + " " + version + " (commit " + commit + (modified ? ", modified" : "") + ")",
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", " +
                System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
    }

    private static String value(final Properties properties, final String key)
    {
        final String value = properties.getProperty(key, "").trim();
        return value.isEmpty() || value.startsWith("${") ? UNKNOWN : value;
    }

    private static BuildInfo load()
    {
        final Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE))
        {
            if (null != in)
            {
                properties.load(in);
            }
        }
        catch (final IOException ex)
        {
            // an unreadable resource says no more than a missing one: every field is unknown
        }
        return of(properties);
    }
}
