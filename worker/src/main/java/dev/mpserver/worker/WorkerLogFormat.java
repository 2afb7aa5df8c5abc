package dev.mpserver.worker;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * Makes a worker's log lines look like the master's: {@code 2025-11-30 05:41:00.123 [4242 worker]
 * INFO worker message}, where the master's pattern ({@code log4j2.xml}) writes
 * {@code [pid master]}. A worker logs through the Log4j API's simple back end (log4j-core's
 * configuration would be the largest part of every spawn, docs/benchmarks.md), which prints date-time, level, logger, message:
 * so the pid and the role go into its date format, as a quoted literal, before its first line.
 *
 * <p>Also gives stderr a buffer that holds a whole line: the simple back end prints a line in
 * pieces, and through the JVM's default 128-byte buffer a long line became several writes, which
 * other processes' lines could come between in a shared {@code --log-file}.
 */
final class WorkerLogFormat
{
    static final String DATE_TIME_FORMAT = "org.apache.logging.log4j.simplelog.dateTimeFormat";
    private static final int LINE_BUFFER = 8192;

    private WorkerLogFormat()
    {
    }

    /** Before anything logs; a format given with {@code --worker-jvm-opts} wins. */
    static void apply(final long pid)
    {
        if (null == System.getProperty(DATE_TIME_FORMAT))
        {
            System.setProperty(DATE_TIME_FORMAT, "yyyy-MM-dd HH:mm:ss.SSS '[" + pid + " worker]'");
        }
        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), LINE_BUFFER), true));
    }
}
