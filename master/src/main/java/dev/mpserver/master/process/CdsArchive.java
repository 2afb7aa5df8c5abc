package dev.mpserver.master.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.mpserver.protocol.launch.MainClasses;

/**
 * The workers' class-data-sharing archive ({@code lib/worker-<JDK>.jsa}): the classes of one worker
 * start-up, mapped by every worker JVM instead of loaded and linked anew (see "Logs and worker
 * start-up" in the README). CDS accepts an archive only from the JDK build that made it and for
 * the class path it was made with, so the archive is made where it is used: by {@code mvn package}
 * for the tree, and for an installation at its first start or by {@code mpserver cds-archive}. One
 * archive per JDK (named after its version and a hash of its home), so that servers run on two
 * JDKs side by side (a benchmark's) do not remake each other's. Next to it,
 * {@code worker-<JDK>.jsa.key} records what it was made for (the JDK's real home and version, the
 * class path); a worker gets the archive only when the key is its own, so a JDK update or a moved
 * installation costs start-up time, never a refused or mismatched archive. Workers whose
 * {@code --worker-jvm-opts} choose their own class data (an AOT cache, say) do not get it.
 *
 * <pre>
 *   java.home=/usr/lib/jvm/java-17-openjdk-amd64
 *   java.vm.version=17.0.15+6-Debian-1deb12u1
 *   class.path=/opt/mpserver/lib/agrona-1.23.1.jar:...
 * </pre>
 */
public final class CdsArchive
{
    static final String KEY_SUFFIX = ".key";
    /** Characters of a JDK version kept in the archive's name; anything else becomes '_'. */
    private static final String UNSAFE_IN_NAME = "[^A-Za-z0-9.+-]";
    private static final int HOME_HASH_HEX_DIGITS = 8;
    private static final long TRAINING_TIMEOUT_SECONDS = 120;
    private static final int OUTPUT_TAIL = 300;

    /** Null when the JVM does not run from a lib directory (tests, an IDE): no archive then. */
    private final Path lib;
    private final String classPath;
    private final String key;
    private final String name;

    CdsArchive(final Path lib, final String classPath, final String key)
    {
        this.lib = lib;
        this.classPath = classPath;
        this.key = key;
        this.name = archiveName(javaHome(), System.getProperty("java.vm.version"));
    }

    /** The archive for this JVM's JDK and class path (the workers run both). */
    public static CdsArchive forThisJvm()
    {
        final String classPath = ClassPath.absolute(System.getProperty("java.class.path"));
        return new CdsArchive(ClassPath.libDirectory(classPath), classPath, keyOf(classPath));
    }

    static String keyOf(final String classPath)
    {
        return "java.home=" + javaHome() + "\njava.vm.version=" + System.getProperty("java.vm.version") + "\nclass.path=" + classPath + "\n";
    }

    /** {@code worker-17.0.15+6-Debian-1deb12u1-1a2b3c4d.jsa}: the JDK's version, and a hash of its home to tell two installs apart. */
    static String archiveName(final Path javaHome, final String vmVersion)
    {
        final String home = String.format(Locale.ROOT, "%08x", javaHome.toString().hashCode());
        return "worker-" + vmVersion.replaceAll(UNSAFE_IN_NAME, "_") + "-" + home.substring(home.length() - HOME_HASH_HEX_DIGITS) + ".jsa";
    }

    private static Path javaHome()
    {
        final Path home = Path.of(System.getProperty("java.home"));
        try
        {
            return home.toRealPath();
        }
        catch (final IOException ex)
        {
            return home; // as the JVM spells it, then
        }
    }

    /** Where the archive is (or would be), or null without a lib directory. */
    public Path path()
    {
        return null == lib ? null : lib.resolve(name);
    }

    private Path keyFile()
    {
        return lib.resolve(name + KEY_SUFFIX);
    }

    /** An archive made for this JDK and class path is there. */
    public boolean isUsable()
    {
        if (null == lib || !Files.isReadable(path()))
        {
            return false;
        }
        try
        {
            return key.equals(Files.readString(keyFile()));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * {@code -XX:SharedArchiveFile} when {@link #isUsable}, else nothing. JVM CDS messages are
     * silenced: a JVM that refuses the archive all the same must not print on the master's stdout,
     * where the ready line goes.
     */
    public List<String> workerOptions()
    {
        return isUsable() ? List.of("-XX:SharedArchiveFile=" + path(), "-Xlog:cds=off", "-Xlog:cds+dynamic=off") : List.of();
    }

    /**
     * This JVM runs an installation (its whole class path is the lib directory, as the launchers
     * start it) whose lib directory we may write: the archive can be made here.
     */
    public boolean canMake()
    {
        return null != lib && ClassPath.allIn(classPath, lib) && Files.isWritable(lib);
    }

    /** In words, for {@code mpserver check}. */
    public String describe()
    {
        if (null == lib)
        {
            return "none (not run from an installation's lib directory)";
        }
        if (isUsable())
        {
            return path() + ", made for this JDK";
        }
        if (canMake())
        {
            return "none for this JDK yet: made at the first start (or now with 'mpserver cds-archive')";
        }
        return "none for this JDK, and " + lib + " is not writable: workers start slower until its owner runs 'mpserver cds-archive'";
    }

    /**
     * Runs one worker start-up ({@code CdsTraining}, {@link MainClasses#CDS_TRAINING}) in a JVM that writes the archive at its exit,
     * then puts the archive and its key in place, each with one rename.
     *
     * @param workerJvmOptions the options workers start with (so that the archive holds what they load)
     * @throws IOException if there is no lib directory, or the training failed (with its last output)
     */
    public void make(final List<String> workerJvmOptions) throws IOException
    {
        if (null == lib)
        {
            throw new IOException("this JVM does not run from an installation's lib directory: there is nowhere to put an archive");
        }
        final String unique = "." + ProcessHandle.current().pid() + ".partial";
        final Path partialArchive = lib.resolve(name + unique);
        final Path partialKey = lib.resolve(name + KEY_SUFFIX + unique);
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("-XX:ArchiveClassesAtExit=" + partialArchive);
        command.add("-Xlog:cds=off");
        command.add("-Xlog:cds+dynamic=off");
        command.addAll(workerJvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(MainClasses.CDS_TRAINING);
        command.add(partialArchive.toString());
        try
        {
            final Process training = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            final String output;
            try (InputStream in = training.getInputStream())
            {
                output = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!training.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                training.destroyForcibly();
                throw new IOException("the training JVM did not finish in " + TRAINING_TIMEOUT_SECONDS + " s");
            }
            if (training.exitValue() != 0 || !Files.isRegularFile(partialArchive))
            {
                throw new IOException("the training JVM exited with " + training.exitValue() + ": " +
                    output.substring(Math.max(0, output.length() - OUTPUT_TAIL)).replace('\n', ' '));
            }
            Files.move(partialArchive, path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(partialKey, key, StandardCharsets.UTF_8);
            Files.move(partialKey, keyFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the archive");
        }
        finally
        {
            Files.deleteIfExists(partialArchive);
            Files.deleteIfExists(partialKey);
        }
    }
}
