package dev.mpserver.loadgen.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM an mpserver under test runs on, and any JVM options for its master: {@code --java "PATH
 * [OPTIONS...]"}. The master starts its workers with its own JVM, so the choice covers the whole
 * server. Lets levers such as JDK 25's AOT cache be compared with JDK 17 side by side in one run.
 */
final class ServerJava
{
    private final String label;
    private final List<String> command;

    private ServerJava(final String label, final List<String> command)
    {
        this.label = label;
        this.command = List.copyOf(command);
    }

    /** The JVM that runs the bench (the default {@code java}, as users run scripts/mpserver). */
    static ServerJava current()
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ServerJava(jdkName(java), List.of(java.toString()));
    }

    /**
     * @param spec a java executable, then optional JVM options for the master, separated by spaces
     * @throws IllegalArgumentException if the executable does not exist or cannot be run
     */
    static ServerJava parse(final String spec)
    {
        final List<String> words = new ArrayList<>(Arrays.asList(spec.trim().split("\\s+")));
        final Path java = Path.of(words.get(0));
        if (words.get(0).isEmpty() || !Files.isRegularFile(java) || !Files.isExecutable(java))
        {
            throw new IllegalArgumentException("--java: '" + words.get(0) + "' is not an executable file");
        }
        final String options = String.join(" ", words.subList(1, words.size()));
        return new ServerJava(jdkName(java) + (options.isEmpty() ? "" : " " + options), words);
    }

    /** The JDK's directory name (…/temurin-25-jdk-amd64/bin/java → temurin-25-jdk-amd64). */
    private static String jdkName(final Path java)
    {
        final Path absolute = java.toAbsolutePath().normalize();
        final Path home = absolute.getParent() == null ? null : absolute.getParent().getParent();
        return null == home || null == home.getFileName() ? absolute.toString() : home.getFileName().toString();
    }

    String label()
    {
        return label;
    }

    /** The java executable and the master's JVM options, to which the class path and main class follow. */
    List<String> command()
    {
        return command;
    }

    @Override
    public String toString()
    {
        return label + " (" + String.join(" ", command).replace(File.separator + "bin" + File.separator + "java", "") + ")";
    }
}
