package dev.mpserver.protocol.posix;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The one entry point to the C library: the bound {@link LibC} and {@link ProcessLibC}, errno,
 * and checked wrappers that turn a failed call into a {@link PosixException} naming the call. Hot
 * paths that treat EAGAIN as normal call {@link #LIBC} directly and read {@link #errno()} themselves.
 */
public final class Posix
{
    public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    public static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    public static final int F_DUPFD_CLOEXEC = 1030;
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int F_SETOWN = 8;
    public static final int F_SETSIG = 10;
    public static final int F_SETOWN_EX = 15;
    public static final int F_OWNER_TID = 0;
    public static final int FD_CLOEXEC = 1;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_ASYNC = 0x2000;
    public static final int O_WRONLY = 01;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    public static final int STDERR_FILENO = 2;
    /**
     * {@link #reserveFdTable} grows the table to no more fds than this (512 KiB of kernel memory):
     * beyond it the table's few remaining doublings are spread over tens of thousands of fds.
     */
    public static final int FD_TABLE_RESERVE_MAX = 1 << 16;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_ERROR = 4;
    /** {@code which} of setpriority(2): one process, or on Linux one thread by its tid. */
    public static final int PRIO_PROCESS = 0;
    /** Linux's scheduling policy for work that runs only when nothing else wants the CPU. */
    public static final int SCHED_IDLE = 5;
    /** Linux's default scheduling policy (SCHED_NORMAL). */
    public static final int SCHED_OTHER = 0;
    /**
     * Passes over this process's threads at most in {@link #leaveIdlePolicy} and
     * {@link #takeCpuAffinityOf}: one more finds none left.
     */
    private static final int LEAVE_IDLE_PASSES = 4;
    /** struct sched_param: {@code int sched_priority}, 0 for every policy but the real-time ones. */
    private static final int SCHED_PARAM_LENGTH = Integer.BYTES;
    /**
     * A CPU mask as sched_setaffinity(2) takes it: glibc's {@code cpu_set_t}, 1 024 bits, CPU n at
     * bit {@code n % 64} of little-endian long {@code n / 64}.
     * <pre>
     *   byte 0          byte 8                  byte 127
     *  +---------------+---------------+ ... +---------------+
     *  | CPUs 0..63    | CPUs 64..127  |     | CPUs 960..1023|
     *  +---------------+---------------+ ... +---------------+
     * </pre>
     */
    public static final int CPU_SET_LENGTH = 128;
    /** struct timeval: seconds and microseconds, two longs. */
    private static final int TIMEVAL_LENGTH = 2 * Long.BYTES;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;

    public static final int WNOHANG = 1;

    private static final String PROC_SELF_FD = "/proc/self/fd";
    private static final String SOCKET_TARGET = "socket:[";
    private static final String FD_TABLE_SIZE_FIELD = "FDSize:";
    /** An int 1 in native memory, written once here and only read after: setsockopt's "on", from any thread. */
    private static final UnsafeBuffer INT_ONE = intOne();

    private Posix()
    {
    }

    /** errno of the last call made through {@link #LIBC} or {@link #process()} on this thread. */
    public static int errno()
    {
        return RUNTIME.getLastError();
    }

    /** The signal, process and limit functions, bound on first use: a worker never binds them. */
    public static ProcessLibC process()
    {
        return ProcessBinding.LIBC;
    }

    /** Initialised, and so bound, on the first {@link #process()}. */
    private static final class ProcessBinding
    {
        static final ProcessLibC LIBC = LibraryLoader.create(ProcessLibC.class).load("c");
    }

    public static String strerror(final int errno)
    {
        return LIBC.strerror(errno);
    }

    /** @return {@code result} when it is not -1, else throws naming {@code call} with errno. */
    public static int checked(final String call, final int result)
    {
        if (-1 == result)
        {
            throw new PosixException(call, errno());
        }
        return result;
    }

    public static long checked(final String call, final long result)
    {
        if (-1L == result)
        {
            throw new PosixException(call, errno());
        }
        return result;
    }

    /** For posix_spawn*, which return the error number instead of setting errno. */
    public static void checkedReturn(final String call, final int errorNumber)
    {
        if (0 != errorNumber)
        {
            throw new PosixException(call, errorNumber);
        }
    }

    public static void close(final int fd)
    {
        // Linux always releases the fd, even when close reports EINTR: never retry.
        if (-1 == LIBC.close(fd) && errno() != Errno.EINTR)
        {
            throw new PosixException("close", errno(), "fd " + fd);
        }
    }

    /** Closes and ignores errors, for paths that are already handling a failure. */
    public static void closeQuietly(final int fd)
    {
        if (fd >= 0)
        {
            LIBC.close(fd);
        }
    }

    /**
     * Raises the calling thread's nice value to {@code niceValue} (Linux schedules threads, and
     * {@code setpriority(PRIO_PROCESS, tid)} sets one thread's), so that it takes only the CPU the
     * process's other threads and other processes leave. One-way for an unprivileged process: it
     * cannot lower the value again, so only for a thread that ends when its background job does.
     */
    public static void niceThisThread(final int niceValue)
    {
        checked("setpriority(PRIO_PROCESS, tid)", LIBC.setpriority(PRIO_PROCESS, LIBC.gettid(), niceValue));
    }

    /**
     * Puts the calling thread in SCHED_IDLE (Linux schedules threads; pid 0 is the caller): it runs
     * only on CPU nobody else wants, and any other thread that wakes takes the CPU from it at once,
     * where a high nice value still gets a share and may delay a waking thread by a scheduler
     * slice. Allowed unprivileged, and one-way as {@link #niceThisThread}: only for a thread that
     * ends when its background job does.
     */
    public static void idleThisThread()
    {
        checked("sched_setscheduler(SCHED_IDLE)", LIBC.sched_setscheduler(0, SCHED_IDLE, schedParamZero().addressOffset()));
    }

    /** A struct sched_param of priority 0, the only one SCHED_OTHER and SCHED_IDLE take. */
    private static UnsafeBuffer schedParamZero()
    {
        return NativeMemory.allocate(SCHED_PARAM_LENGTH); // zeroed
    }

    /**
     * Whether a thread of this process may go back from SCHED_IDLE to the default policy: Linux
     * allows it only with CAP_SYS_NICE or an RLIMIT_NICE of at least 20 (systemd: {@code
     * LimitNICE=+0}); otherwise SCHED_IDLE is one-way. Tried on a thread of its own, which ends.
     */
    public static boolean canLeaveIdlePolicy()
    {
        final boolean[] left = new boolean[1];
        final Thread probe = new Thread(() ->
        {
            if (0 == LIBC.sched_setscheduler(0, SCHED_IDLE, schedParamZero().addressOffset()))
            {
                left[0] = 0 == LIBC.sched_setscheduler(0, SCHED_OTHER, schedParamZero().addressOffset());
            }
        }, "sched-idle-probe");
        probe.start();
        try
        {
            probe.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        return left[0];
    }

    /**
     * Moves every thread of this process that is in SCHED_IDLE (a process started so, e.g. by
     * {@code chrt --idle 0}, and every thread it made since) to the default policy. Passes over
     * /proc/self/task until one finds none left, so that a thread an idle thread was creating
     * meanwhile is not missed. A thread that ends meanwhile is skipped.
     *
     * @return the threads moved
     * @throws PosixException EPERM where {@link #canLeaveIdlePolicy} is false
     */
    public static int leaveIdlePolicy()
    {
        final UnsafeBuffer param = schedParamZero();
        return changeEveryThread(tid ->
        {
            if (SCHED_IDLE != LIBC.sched_getscheduler(tid))
            {
                return false;
            }
            if (0 == LIBC.sched_setscheduler(tid, SCHED_OTHER, param.addressOffset()))
            {
                return true;
            }
            if (errno() != Errno.ESRCH)
            {
                throw new PosixException("sched_setscheduler(SCHED_OTHER)", errno(), "thread " + tid);
            }
            return false; // ended meanwhile
        });
    }

    /** One thread's change in {@link #changeEveryThread}: true if it changed the thread. */
    @FunctionalInterface
    private interface ThreadChange
    {
        boolean apply(int tid);
    }

    /**
     * Applies {@code change} to every thread of this process, in passes over /proc/self/task until
     * one changes none (at most {@link #LEAVE_IDLE_PASSES}), so that a thread a changed thread was
     * creating meanwhile is not missed.
     *
     * @return the threads changed
     */
    private static int changeEveryThread(final ThreadChange change)
    {
        int changed = 0;
        for (int pass = 0; pass < LEAVE_IDLE_PASSES; pass++)
        {
            final String[] tasks = new File("/proc/self/task").list();
            int changedThisPass = 0;
            for (final String task : null == tasks ? new String[0] : tasks)
            {
                if (change.apply(Integer.parseInt(task)))
                {
                    changedThisPass++;
                }
            }
            changed += changedThisPass;
            if (0 == changedThisPass)
            {
                break;
            }
        }
        return changed;
    }

    /** The CPUs thread (or process) {@code pid} may run on (0: the calling thread), as {@link #CPU_SET_LENGTH} bytes. */
    public static BitSet cpuAffinity(final int pid)
    {
        final UnsafeBuffer mask = NativeMemory.allocate(CPU_SET_LENGTH);
        checked("sched_getaffinity", LIBC.sched_getaffinity(pid, CPU_SET_LENGTH, mask.addressOffset()));
        final long[] words = new long[CPU_SET_LENGTH / Long.BYTES];
        for (int i = 0; i < words.length; i++)
        {
            words[i] = mask.getLong(i * Long.BYTES, ByteOrder.LITTLE_ENDIAN);
        }
        return BitSet.valueOf(words);
    }

    /** Lets thread {@code pid} (0: the caller) run on {@code cpus} only; returns the raw result, errno on -1. */
    public static int setCpuAffinity(final int pid, final BitSet cpus)
    {
        final UnsafeBuffer mask = NativeMemory.allocate(CPU_SET_LENGTH);
        final long[] words = cpus.toLongArray();
        for (int i = 0; i < words.length && i < CPU_SET_LENGTH / Long.BYTES; i++)
        {
            mask.putLong(i * Long.BYTES, words[i], ByteOrder.LITTLE_ENDIAN);
        }
        return LIBC.sched_setaffinity(pid, CPU_SET_LENGTH, mask.addressOffset());
    }

    /**
     * Gives every thread of this process the CPUs of process {@code pid} (a worker: its master's),
     * passing over /proc/self/task until one finds every thread there, so that a thread a pinned
     * thread was creating meanwhile is not missed. A thread that ends meanwhile is skipped.
     *
     * @return the threads changed
     */
    public static int takeCpuAffinityOf(final int pid)
    {
        final BitSet target = cpuAffinity(pid);
        return changeEveryThread(tid ->
        {
            final BitSet now;
            try
            {
                now = cpuAffinity(tid);
            }
            catch (final PosixException ex)
            {
                if (ex.errno() != Errno.ESRCH)
                {
                    throw ex;
                }
                return false; // ended meanwhile
            }
            if (now.equals(target))
            {
                return false;
            }
            if (0 == setCpuAffinity(tid, target))
            {
                return true;
            }
            if (errno() != Errno.ESRCH)
            {
                throw new PosixException("sched_setaffinity", errno(), "thread " + tid);
            }
            return false; // ended meanwhile
        });
    }

    public static void setNonBlocking(final int fd)
    {
        final int flags = checked("fcntl(F_GETFL)", LIBC.fcntl(fd, F_GETFL, 0));
        checked("fcntl(F_SETFL, O_NONBLOCK)", LIBC.fcntl(fd, F_SETFL, flags | O_NONBLOCK));
    }

    public static void setCloseOnExec(final int fd, final boolean closeOnExec)
    {
        final int flags = checked("fcntl(F_GETFD)", LIBC.fcntl(fd, F_GETFD, 0));
        final int updated = closeOnExec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        checked("fcntl(F_SETFD)", LIBC.fcntl(fd, F_SETFD, updated));
    }

    /**
     * Makes {@code fd} this process's stderr (dup2 onto fd 2) and closes {@code fd}. Every thread's
     * next write to stderr goes to the new file at once; a child spawned later inherits it.
     */
    public static void replaceStderr(final int fd)
    {
        try
        {
            checked("dup2", LIBC.dup2(fd, STDERR_FILENO));
        }
        finally
        {
            closeQuietly(fd);
        }
    }

    /**
     * Grows this process's fd table now, so that fds below {@code fds} fit in it without growing it
     * under load; the kernel never shrinks it. The table starts small and doubles when an fd beyond
     * it is installed, and in a multi-threaded process (any JVM) each doubling waits for an RCU grace
     * period ({@code synchronize_rcu} in {@code expand_fdtable}): 8–16 ms measured on our machines,
     * during which the thread installing the fd ({@code accept4}, {@code recvmsg} of SCM_RIGHTS,
     * {@code socket}) is stalled. A new process's first burst of 5 000 clients met five of them. One
     * growth to the size needed costs one grace period, when the caller chooses. A copy of
     * {@code anyOpenFd} is made at the top of the table and closed at once; only libc's fcntl and
     * close are used, which a worker has bound already.
     *
     * @param fds at most {@link #FD_TABLE_RESERVE_MAX} are reserved; a number beyond the soft
     *            RLIMIT_NOFILE reserves nothing (no fd can exist there)
     * @return the number of fds the table now holds at least, or 0 if nothing was reserved (beyond
     *         the fd limit, or no fd free at or above the target)
     */
    public static int reserveFdTable(final int anyOpenFd, final int fds)
    {
        final int target = Math.min(fds, FD_TABLE_RESERVE_MAX);
        final int highest = LIBC.fcntl(anyOpenFd, F_DUPFD_CLOEXEC, Math.max(0, target - 1));
        if (highest < 0)
        {
            return 0;
        }
        close(highest);
        return highest + 1;
    }

    /** @return a duplicate of {@code fd} numbered at least {@code lowest}, close-on-exec. */
    public static int dupAtLeast(final int fd, final int lowest)
    {
        return checked("fcntl(F_DUPFD_CLOEXEC)", LIBC.fcntl(fd, F_DUPFD_CLOEXEC, lowest));
    }

    /**
     * Makes {@code fd} signal-driven: every readable/writable/hang-up edge queues real-time signal
     * {@code signo} to {@code ownerPid} with si_fd = fd. The signal and owner are set before O_ASYNC
     * so that no edge is ever reported as plain SIGIO or to nobody.
     */
    public static void enableAsyncSignal(final int fd, final int signo, final int ownerPid)
    {
        checked("fcntl(F_SETSIG)", LIBC.fcntl(fd, F_SETSIG, signo));
        checked("fcntl(F_SETOWN)", LIBC.fcntl(fd, F_SETOWN, ownerPid));
        final int flags = checked("fcntl(F_GETFL)", LIBC.fcntl(fd, F_GETFL, 0));
        checked("fcntl(F_SETFL, O_ASYNC|O_NONBLOCK)", LIBC.fcntl(fd, F_SETFL, flags | O_ASYNC | O_NONBLOCK));
    }

    /**
     * Like {@link #enableAsyncSignal} but the signal goes to one thread ({@code F_SETOWN_EX},
     * {@code F_OWNER_TID}): for code that cannot block the signal in every thread of its process.
     */
    public static void enableAsyncSignalToThread(final int fd, final int signo, final int tid)
    {
        final UnsafeBuffer owner = NativeMemory.allocate(2 * Integer.BYTES);
        owner.putInt(0, F_OWNER_TID);
        owner.putInt(Integer.BYTES, tid);
        checked("fcntl(F_SETSIG)", LIBC.fcntl(fd, F_SETSIG, signo));
        checked("fcntl(F_SETOWN_EX)", LIBC.fcntl(fd, F_SETOWN_EX, owner.addressOffset()));
        final int flags = checked("fcntl(F_GETFL)", LIBC.fcntl(fd, F_GETFL, 0));
        checked("fcntl(F_SETFL, O_ASYNC|O_NONBLOCK)", LIBC.fcntl(fd, F_SETFL, flags | O_ASYNC | O_NONBLOCK));
    }

    /**
     * waitpid(pid, WNOHANG) that retries EINTR.
     *
     * @return the raw wait status, or -1 if {@code pid} has not exited yet
     * @throws PosixException ECHILD if it is not our child (or was reaped already)
     */
    public static int reap(final int pid)
    {
        final int[] status = new int[1];
        while (true)
        {
            final int result = process().waitpid(pid, status, WNOHANG);
            if (result == pid)
            {
                return status[0];
            }
            if (0 == result)
            {
                return -1;
            }
            if (errno() != Errno.EINTR)
            {
                throw new PosixException("waitpid", errno(), "pid " + pid);
            }
        }
    }

    /** @return the exit code of a wait status, or 128 + signal for a child killed by a signal. */
    public static int exitCode(final int waitStatus)
    {
        final int signal = waitStatus & 0x7f;
        return 0 == signal ? (waitStatus >> 8) & 0xff : 128 + signal;
    }

    /** @return {fd0, fd1}: a connected AF_UNIX stream pair, both close-on-exec and blocking. */
    public static int[] socketPair()
    {
        final int[] fds = new int[2];
        checked("socketpair", LIBC.socketpair(SockAddrIn.AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
        return fds;
    }

    /**
     * A non-blocking, close-on-exec TCP listener with SO_REUSEADDR.
     *
     * @param hostOrderAddress IPv4 address in host order, e.g. {@link SockAddrIn#LOOPBACK}
     * @param port 0 for an ephemeral port; read it back with {@link #localPort}
     */
    public static int listenTcp(final int hostOrderAddress, final int port, final int backlog)
    {
        final int fd = checked("socket", LIBC.socket(SockAddrIn.AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        try
        {
            setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1);
            final SockAddrIn address = new SockAddrIn().set(hostOrderAddress, port);
            if (-1 == LIBC.bind(fd, address.address(), SockAddrIn.SIZE))
            {
                throw new PosixException("bind", errno(), "port " + port);
            }
            checked("listen", LIBC.listen(fd, backlog));
            return fd;
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(fd);
            throw ex;
        }
    }

    /**
     * A blocking TCP connection to {@code port} on {@code hostOrderAddress}, whose reads give up
     * after {@code receiveTimeoutMillis} (SO_RCVTIMEO): for a process's own traffic to itself, which
     * must never hang it.
     */
    public static int connectTcp(final int hostOrderAddress, final int port, final int receiveTimeoutMillis)
    {
        final int fd = checked("socket", LIBC.socket(SockAddrIn.AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        try
        {
            final UnsafeBuffer timeval = NativeMemory.allocate(TIMEVAL_LENGTH);
            timeval.putLong(0, receiveTimeoutMillis / 1000);
            timeval.putLong(Long.BYTES, (receiveTimeoutMillis % 1000) * 1000L);
            checked("setsockopt(SO_RCVTIMEO)", LIBC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval.addressOffset(), TIMEVAL_LENGTH));
            final SockAddrIn address = new SockAddrIn().set(hostOrderAddress, port);
            if (-1 == LIBC.connect(fd, address.address(), SockAddrIn.SIZE))
            {
                throw new PosixException("connect", errno(), "port " + port);
            }
            return fd;
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(fd);
            throw ex;
        }
    }

    /**
     * Begins a non-blocking TCP connect to {@code to} on a new non-blocking, close-on-exec socket
     * with TCP_NODELAY (a client's frames are small and each is awaited). On Linux it is in progress
     * even on loopback: EPOLLOUT, then {@link #socketError}, says how it ended. Allocates nothing.
     *
     * @return the socket, or {@code -errno} if there is none (the socket is closed then)
     */
    public static int startConnect(final SockAddr to)
    {
        final int fd = LIBC.socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            return -errno();
        }
        if (0 != setTcpNoDelay(fd) ||
            0 != LIBC.connect(fd, to.address(), to.length()) && errno() != Errno.EINPROGRESS)
        {
            final int errno = errno();
            closeQuietly(fd);
            return -errno;
        }
        return fd;
    }

    /**
     * {@code getsockopt(SO_ERROR)}: how a non-blocking connect ended (0: connected), or the error
     * pending on the socket.
     *
     * @param scratch 8 bytes of preallocated memory: the value and its length
     * @return 0, or an errno
     */
    public static int socketError(final int fd, final UnsafeBuffer scratch)
    {
        scratch.putInt(0, 0);
        scratch.putInt(Integer.BYTES, Integer.BYTES);
        if (0 != LIBC.getsockopt(fd, SOL_SOCKET, SO_ERROR, scratch.addressOffset(), scratch.addressOffset() + Integer.BYTES))
        {
            return errno();
        }
        return scratch.getInt(0);
    }

    /** TCP_NODELAY on, for hot paths (allocates nothing); returns the raw result, errno on -1. */
    public static int setTcpNoDelay(final int fd)
    {
        return LIBC.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, INT_ONE.addressOffset(), Integer.BYTES);
    }

    private static UnsafeBuffer intOne()
    {
        final UnsafeBuffer one = NativeMemory.allocate(Integer.BYTES);
        one.putInt(0, 1);
        return one;
    }

    public static void setIntOption(final int fd, final int level, final int name, final int value)
    {
        final UnsafeBuffer v = NativeMemory.allocate(Integer.BYTES);
        v.putInt(0, value);
        checked("setsockopt", LIBC.setsockopt(fd, level, name, v.addressOffset(), Integer.BYTES));
    }

    public static int localPort(final int fd)
    {
        final SockAddrIn address = new SockAddrIn();
        checked("getsockname", LIBC.getsockname(fd, address.address(), address.lengthAddress()));
        return address.port();
    }

    public static RLimit getRlimit(final int resource)
    {
        final RLimit limit = new RLimit();
        checked("getrlimit", process().getrlimit(resource, limit.address()));
        return limit;
    }

    public static void setRlimit(final int resource, final long current, final long maximum)
    {
        checked("setrlimit", process().setrlimit(resource, new RLimit().set(current, maximum).address()));
    }

    /** @return the native entry point of a JNR closure; the caller must keep {@code handler} reachable. */
    public static long closureAddress(final ProcessLibC.SigInfoHandler handler)
    {
        return RUNTIME.getClosureManager()
            .getClosurePointer(ProcessLibC.SigInfoHandler.class, Objects.requireNonNull(handler))
            .address();
    }

    /** Number of open fds of this process (diagnostics and leak tests). */
    public static int openFdCount()
    {
        return openFdCount(PROC_SELF_FD);
    }

    /** Number of open fds of process {@code pid}, or -1 if it is gone. */
    public static int openFdCount(final long pid)
    {
        return openFdCount("/proc/" + pid + "/fd");
    }

    /**
     * What each open fd of process {@code pid} refers to, as /proc shows it ({@code "socket:[1234]"},
     * a path, {@code "pipe:[56]"}); an fd closed while they are read is left out (diagnostics and
     * leak tests: a leak is a target, which no fd the JVM opens of its own meanwhile can mask, as
     * it can a count). {@code "self"} names this process.
     *
     * @throws UncheckedIOException if the process is gone or its fds cannot be read
     */
    public static List<String> openFdTargets(final String pid)
    {
        final List<String> targets = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", pid, "fd")))
        {
            for (final Path fd : fds)
            {
                try
                {
                    targets.add(Files.readSymbolicLink(fd).toString());
                }
                catch (final IOException closedMeanwhile)
                {
                    // the directory stream's own fd, or one closed between listing and reading
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return targets;
    }

    /** @return the inode of a socket's fd target ({@code "socket:[1234]"}, see {@link #openFdTargets}), or -1 if it is no socket */
    public static long socketInode(final String fdTarget)
    {
        return fdTarget.startsWith(SOCKET_TARGET) && fdTarget.endsWith("]")
            ? Long.parseLong(fdTarget.substring(SOCKET_TARGET.length(), fdTarget.length() - 1))
            : -1;
    }

    /**
     * The size of process {@code pid}'s fd table as the kernel reports it ({@code FDSize} in
     * /proc/PID/status; see {@link #reserveFdTable}), or -1 if the process is gone (diagnostics and
     * tests). {@code "self"} names this process.
     */
    public static int fdTableSize(final String pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", pid, "status")))
            {
                if (line.startsWith(FD_TABLE_SIZE_FIELD))
                {
                    return Integer.parseInt(line.substring(FD_TABLE_SIZE_FIELD.length()).trim());
                }
            }
            return -1;
        }
        catch (final NoSuchFileException gone)
        {
            return -1;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static int openFdCount(final String directory)
    {
        final String[] entries = new File(directory).list();
        return null == entries ? -1 : entries.length;
    }
}
