package dev.mpserver.master.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import dev.mpserver.protocol.posix.PosixException;
import dev.mpserver.protocol.rundir.RunDirectoryException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine;

/**
 * How every mpserver command fails: one line on stderr, {@code <command>: <what went wrong>}, and
 * exit status {@value #EXIT_FAILURE}, for a bad option as for a failure while running. The stack
 * trace goes to the log at debug level only ({@code MPSERVER_JAVA_OPTS=-Dmpserver.log.level=debug}).
 */
final class CommandErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler
{
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 2;

    private static final Logger LOG = LogManager.getLogger(CommandErrors.class);

    private CommandErrors()
    {
    }

    /** Puts the handlers on {@code commandLine} and every subcommand it has now. */
    static CommandLine install(final CommandLine commandLine)
    {
        final CommandErrors handler = new CommandErrors();
        commandLine.setExecutionExceptionHandler(handler);
        commandLine.setParameterExceptionHandler(handler);
        return commandLine;
    }

    @Override
    public int handleExecutionException(final Exception ex, final CommandLine commandLine, final CommandLine.ParseResult parseResult)
    {
        return report(commandLine, ex);
    }

    @Override
    public int handleParseException(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        final String name = commandLine.getCommandSpec().qualifiedName();
        commandLine.getErr().println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
        commandLine.getErr().flush();
        return EXIT_FAILURE;
    }

    /** Prints {@code failure} as one line for the command it happened in; returns the exit status. */
    static int report(final CommandLine commandLine, final Throwable failure)
    {
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + describe(failure));
        commandLine.getErr().flush();
        LOG.debug("the failure's stack trace", failure);
        return EXIT_FAILURE;
    }

    /** A failure in one line: ours say what happened; anything else is named, as a bug would be. */
    static String describe(final Throwable failure)
    {
        final Throwable cause = failure instanceof UncheckedIOException ? failure.getCause() : failure;
        if (cause instanceof CommandFailedException || cause instanceof RunDirectoryException || cause instanceof PosixException ||
            cause instanceof IllegalArgumentException || cause instanceof IllegalStateException)
        {
            return oneLine(cause.getMessage());
        }
        if (cause instanceof NoSuchFileException)
        {
            return ((NoSuchFileException)cause).getFile() + ": no such file or directory";
        }
        if (cause instanceof AccessDeniedException)
        {
            return ((AccessDeniedException)cause).getFile() + ": permission denied";
        }
        if (cause instanceof FileSystemException)
        {
            final FileSystemException io = (FileSystemException)cause;
            return io.getFile() + ": " + (null == io.getReason() ? io.getClass().getSimpleName() : io.getReason());
        }
        if (cause instanceof IOException)
        {
            return oneLine(String.valueOf(cause.getMessage()));
        }
        return "internal error (" + cause.getClass().getName() + (null == cause.getMessage() ? "" : ": " + oneLine(cause.getMessage())) +
            "); the stack trace is logged at debug level";
    }

    private static String oneLine(final String text)
    {
        return null == text ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
