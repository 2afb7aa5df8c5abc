package dev.mpserver.protocol.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child of {@link SignalQueueOverflowTest}, started with SIGIO and SIGRTMIN+1 blocked in every
 * thread. Lowers its RLIMIT_SIGPENDING, makes 100 signal-driven channels, writes to all of them,
 * drains the signal queue, then rescans every channel, and writes what it saw to args[0].
 */
public final class OverflowChild
{
    public static void main(final String[] args) throws Exception
    {
        final int channels = Integer.parseInt(args[1]);
        final long limit = Long.parseLong(args[2]);
        final RLimit current = Posix.getRlimit(RLimit.RLIMIT_SIGPENDING);
        Posix.setRlimit(RLimit.RLIMIT_SIGPENDING, limit, current.maximum());

        final int pid = Posix.LIBC.getpid();
        final int[][] pairs = new int[channels][];
        for (int i = 0; i < channels; i++)
        {
            pairs[i] = Posix.socketPair();
            Posix.enableAsyncSignal(pairs[i][0], Signals.SIGCHANNEL, pid);
        }
        final UnsafeBuffer one = NativeMemory.allocate(1);
        for (int i = 0; i < channels; i++)
        {
            Posix.checked("write", Posix.LIBC.write(pairs[i][1], one.addressOffset(), 1));
        }

        final SigSet waited = SigSet.of(Signals.SIGCHANNEL, Signals.SIGIO);
        final SigInfo info = new SigInfo();
        final TimeSpec zero = new TimeSpec().nanos(0);
        int rt = 0;
        int sigio = 0;
        int sigioCode = -1;
        while (true)
        {
            final int signo = Posix.process().sigtimedwait(waited.address(), info.address(), zero.address());
            if (signo < 0)
            {
                break;
            }
            if (signo == Signals.SIGCHANNEL)
            {
                rt++;
            }
            else if (signo == Signals.SIGIO)
            {
                sigio++;
                sigioCode = info.code();
            }
        }

        int found = 0;
        for (int i = 0; i < channels; i++)
        {
            if (Posix.LIBC.recv(pairs[i][0], one.addressOffset(), 1, 0x40 /* MSG_DONTWAIT */) == 1)
            {
                found++;
            }
        }
        Files.writeString(Path.of(args[0]),
            "rt=" + rt + " sigio=" + sigio + " sigioCode=" + sigioCode + " found=" + found, StandardCharsets.US_ASCII);
    }
}
