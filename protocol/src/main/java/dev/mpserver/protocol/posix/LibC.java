package dev.mpserver.protocol.posix;

import jnr.ffi.annotations.Out;

/**
 * The C library's file, socket and epoll functions, bound with JNR-FFI: all a worker calls, bound
 * before its READY. Signals, processes and limits are {@link ProcessLibC}, bound on first use. Pointers are passed as raw
 * addresses ({@code long}) of memory the caller preallocated (see the layout classes in this
 * package), so a call marshals nothing and allocates nothing. {@code ssize_t} and {@code long}
 * results are {@code long}; every other result is an {@code int} that is -1 on error with errno
 * in {@link Posix#errno()} — except {@code posix_spawn*}, which return the error number.
 *
 * <p>Nothing outside this package should call these directly except on hot paths that treat
 * EAGAIN as normal; everyone else goes through {@link Posix}.
 */
public interface LibC
{
    int getpid();

    int gettid();

    /** {@code setpriority(2)}; on Linux {@code PRIO_PROCESS} with a thread id sets that one thread's nice value. */
    int setpriority(int which, int who, int niceValue);

    /** {@code sched_setscheduler(2)}; {@code pid} 0 is the calling thread; {@code param}: a struct sched_param (one int). */
    int sched_setscheduler(int pid, int policy, long param);

    /** @return the scheduling policy of thread {@code pid} (0: the caller), or -1 and errno. */
    int sched_getscheduler(int pid);

    /** {@code sched_setaffinity(2)}: thread {@code pid} (0: the caller) may run on the CPUs of {@code mask} only. */
    int sched_setaffinity(int pid, long maskLength, long mask);

    /** {@code sched_getaffinity(2)}: writes the CPUs thread {@code pid} may run on into {@code mask}; 0, or -1 and errno. */
    int sched_getaffinity(int pid, long maskLength, long mask);

    int getppid();

    int close(int fd);

    int dup(int fd);

    int dup2(int oldFd, int newFd);

    int fcntl(int fd, int cmd, long arg);

    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    long recv(int fd, long buf, long len, int flags);

    long send(int fd, long buf, long len, int flags);

    long sendmsg(int fd, long msghdr, int flags);

    long recvmsg(int fd, long msghdr, int flags);

    int socket(int domain, int type, int protocol);

    int socketpair(int domain, int type, int protocol, @Out int[] fds);

    int setsockopt(int fd, int level, int name, long value, int length);

    int getsockopt(int fd, int level, int name, long value, long lengthAddress);

    int bind(int fd, long sockaddr, int length);

    int connect(int fd, long sockaddr, int length);

    int listen(int fd, int backlog);

    int accept4(int fd, long sockaddr, long lengthAddress, int flags);

    int getsockname(int fd, long sockaddr, long lengthAddress);

    int shutdown(int fd, int how);

    int fstat(int fd, long statBuf);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, long event);

    int epoll_wait(int epfd, long events, int maxEvents, int timeoutMillis);

    String strerror(int errnum);
}
