package dev.mpserver.protocol.posix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link Posix#niceThisThread} changes the calling thread only, as the kernel reports it in /proc. */
class ThreadNiceTest
{
    /** Field 19 of /proc/self/task/TID/stat is the nice value (after the parenthesised comm). */
    private static int niceOf(final int tid) throws Exception
    {
        final String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[19 - 3]);
    }

    @Test
    void aThreadLowersItsOwnPriorityAndNoOtherThreads() throws Exception
    {
        final int callerTid = Posix.LIBC.gettid();
        final int callerNiceBefore = niceOf(callerTid);
        final AtomicInteger backgroundTid = new AtomicInteger();
        final AtomicInteger backgroundNice = new AtomicInteger(Integer.MIN_VALUE);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread background = new Thread(() ->
        {
            try
            {
                backgroundTid.set(Posix.LIBC.gettid());
                Posix.niceThisThread(callerNiceBefore + 5);
                backgroundNice.set(niceOf(backgroundTid.get()));
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        });
        background.start();
        background.join();

        assertNull(failure.get());
        assertEquals(callerNiceBefore + 5, backgroundNice.get());
        assertEquals(callerNiceBefore, niceOf(callerTid), "the caller's own thread is untouched");
    }
}
