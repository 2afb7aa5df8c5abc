package dev.mpserver.protocol.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class AsyncSignalTest
{
    @Test
    void writeToPeerQueuesChannelSignalCarryingTheChannelFd()
    {
        final SigSet channelSignal = SigSet.of(Signals.SIGCHANNEL);
        final SigSet previous = new SigSet();
        // Blocked on this thread only, and the signal is directed at this thread: no other JVM thread can take it.
        Posix.checked("sigprocmask", Posix.process().sigprocmask(Signals.SIG_BLOCK, channelSignal.address(), previous.address()));
        final int[] pair = Posix.socketPair();
        try
        {
            Posix.enableAsyncSignalToThread(pair[0], Signals.SIGCHANNEL, Posix.LIBC.gettid());
            final UnsafeBuffer one = NativeMemory.allocate(1);
            assertEquals(1L, Posix.LIBC.write(pair[1], one.addressOffset(), 1));

            final SigInfo info = new SigInfo();
            final int signo = Posix.process().sigtimedwait(channelSignal.address(), info.address(), new TimeSpec().nanos(2_000_000_000L).address());
            assertEquals(Signals.SIGCHANNEL, signo, "sigtimedwait: " + (signo < 0 ? Posix.strerror(Posix.errno()) : ""));
            assertEquals(35, Signals.SIGCHANNEL, "SIGRTMIN+1 on this glibc");
            assertEquals(Signals.SIGCHANNEL, info.signo());
            assertEquals(pair[0], info.fd(), "si_fd names the channel");
            assertEquals(Signals.POLL_IN, info.code());
            assertTrue((info.band() & EpollEvents.EPOLLIN) != 0, "si_band has POLLIN");
        }
        finally
        {
            Posix.close(pair[0]);
            Posix.close(pair[1]);
            final SigInfo drain = new SigInfo();
            final TimeSpec zero = new TimeSpec().nanos(0);
            while (Posix.process().sigtimedwait(channelSignal.address(), drain.address(), zero.address()) > 0)
            {
                Thread.onSpinWait();
            }
            Posix.process().sigprocmask(Signals.SIG_SETMASK, previous.address(), 0L);
        }
    }

    @Test
    void sigactionInstallsAndReportsAnSaSiginfoClosure()
    {
        final ProcessLibC.SigInfoHandler handler = (signo, info, context) -> { };
        final long address = Posix.closureAddress(handler);
        final SigAction action = new SigAction().set(address, Signals.SA_SIGINFO, null);
        final SigAction old = new SigAction();
        final int signo = Signals.SIGRTMIN + 5;
        Posix.checked("sigaction", Posix.process().sigaction(signo, action.address(), old.address()));
        try
        {
            final SigAction current = new SigAction();
            Posix.checked("sigaction", Posix.process().sigaction(signo, 0L, current.address()));
            assertEquals(address, current.handlerAddress());
            assertTrue((current.flags() & Signals.SA_SIGINFO) != 0);
        }
        finally
        {
            Posix.process().sigaction(signo, old.address(), 0L);
        }
    }
}
