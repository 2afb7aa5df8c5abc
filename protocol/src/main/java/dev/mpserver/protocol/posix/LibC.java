package dev.mpserver.protocol.posix;

import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.Out;

/**
 * The C library functions mpserver calls, bound with JNR-FFI. Pointers are passed as raw
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
    /** {@code void (*sa_sigaction)(int, siginfo_t *, void *)}. Keep a strong reference for the life of the process. */
    interface SigInfoHandler
    {
        @Delegate
        void onSignal(int signo, long sigInfoAddress, long ucontextAddress);
    }

    int getpid();

    int gettid();

    int close(int fd);

    int close_range(int first, int last, int flags);

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

    int sigprocmask(int how, long set, long oldSet);

    int sigaction(int signo, long action, long oldAction);

    int sigsuspend(long mask);

    int sigtimedwait(long set, long sigInfo, long timeout);

    int sigemptyset(long set);

    int sigaddset(long set, int signo);

    int sigdelset(long set, int signo);

    int sigismember(long set, int signo);

    int __libc_current_sigrtmin();

    int kill(int pid, int signo);

    int waitpid(int pid, @Out int[] status, int options);

    int setitimer(int which, long newValue, long oldValue);

    int getrlimit(int resource, long rlimit);

    int setrlimit(int resource, long rlimit);

    int execv(long path, long argv);

    int posix_spawn(@Out int[] pid, long path, long fileActions, long attributes, long argv, long envp);

    int posix_spawn_file_actions_init(long fileActions);

    int posix_spawn_file_actions_destroy(long fileActions);

    int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addclose(long fileActions, int fd);

    int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from);

    int posix_spawnattr_init(long attributes);

    int posix_spawnattr_destroy(long attributes);

    int posix_spawnattr_setflags(long attributes, short flags);

    int posix_spawnattr_setsigmask(long attributes, long sigmask);

    int posix_spawnattr_setsigdefault(long attributes, long sigdefault);

    String strerror(int errnum);
}
