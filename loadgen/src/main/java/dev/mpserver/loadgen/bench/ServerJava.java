package dev.mpserver.loadgen.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM an mpserver under test runs on, any JVM options for its master, and any mpserver options
 * of its own: {@code --java 'PATH [JVM OPTIONS...] [-- MPSERVER OPTIONS...]'}. The master starts its
 * workers with its own JVM, so the choice covers the whole server; worker JVM options are an
 * mpserver option ({@code -- --worker-jvm-opts '...'}). Words are split on spaces; single or double
 * quotes keep a value with spaces together. Lets levers such as JDK 25's AOT cache be compared with
 * JDK 17 side by side in one run.
 */
final class ServerJava
{
    private static final String SERVER_OPTIONS = "--";

    private final String label;
    private final List<String> command;
    private final List<String> serverOptions;

    private ServerJava(final String label, final List<String> command, final List<String> serverOptions)
    {
        this.label = label;
        this.command = List.copyOf(command);
        this.serverOptions = List.copyOf(serverOptions);
    }

    /** The JVM that runs the bench (the default {@code java}, as users run scripts/mpserver). */
    static ServerJava current()
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ServerJava(jdkName(java), List.of(java.toString()), List.of());
    }

    /**
     * @param spec a java executable, then optional JVM options for the master, then optionally
     *             {@code --} and mpserver options
     * @throws IllegalArgumentException if the executable does not exist or cannot be run, or a quote is not closed
     */
    static ServerJava parse(final String spec)
    {
        final List<String> words = words(spec);
        if (words.isEmpty())
        {
            throw new IllegalArgumentException("--java: empty");
        }
        final Path java = Path.of(words.get(0));
        if (!Files.isRegularFile(java) || !Files.isExecutable(java))
        {
            throw new IllegalArgumentException("--java: '" + words.get(0) + "' is not an executable file");
        }
        final int split = words.indexOf(SERVER_OPTIONS);
        final List<String> command = split < 0 ? words : words.subList(0, split);
        final List<String> server = split < 0 ? List.of() : words.subList(split + 1, words.size());
        final StringBuilder label = new StringBuilder(jdkName(java));
        for (final String word : command.subList(1, command.size()))
        {
            label.append(' ').append(word);
        }
        if (!server.isEmpty())
        {
            label.append(" --");
            for (final String word : server)
            {
                label.append(' ').append(word);
            }
        }
        return new ServerJava(label.toString(), command, server);
    }

    /** Splits on spaces; '…' and "…" keep spaces inside a word (the quotes themselves are dropped). */
    static List<String> words(final String spec)
    {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < spec.length(); i++)
        {
            final char ch = spec.charAt(i);
            if (quote != 0)
            {
                if (ch == quote)
                {
                    quote = 0;
                }
                else
                {
                    word.append(ch);
                }
            }
            else if (ch == '\'' || ch == '"')
            {
                quote = ch;
                inWord = true;
            }
            else if (Character.isWhitespace(ch))
            {
                if (inWord)
                {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            }
            else
            {
                word.append(ch);
                inWord = true;
            }
        }
        if (quote != 0)
        {
            throw new IllegalArgumentException("--java: unclosed " + quote + " in '" + spec + "'");
        }
        if (inWord)
        {
            words.add(word.toString());
        }
        return words;
    }

    /** The JDK's directory name (…/temurin-25-jdk-amd64/bin/java → temurin-25-jdk-amd64). */
    private static String jdkName(final Path java)
    {
        final Path absolute = java.toAbsolutePath().normalize();
        final Path home = absolute.getParent() == null ? null : absolute.getParent().getParent();
        return null == home || null == home.getFileName() ? absolute.toString() : home.getFileName().toString();
    }

    /** Short, for tables and JSON keys: the JDK's directory name and the options given. */
    String label()
    {
        return label;
    }

    /** The java executable and the master's JVM options, to which the class path and main class follow. */
    List<String> command()
    {
        return command;
    }

    /** mpserver options of this variant, after the case's own. */
    List<String> serverOptions()
    {
        return serverOptions;
    }

    @Override
    public String toString()
    {
        return label + " (" + command.get(0) + ")";
    }
}
