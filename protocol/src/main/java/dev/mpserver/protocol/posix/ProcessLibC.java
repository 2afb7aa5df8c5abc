package dev.mpserver.protocol.posix;

import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.Out;

/**
 * The C library's signal, process, timer, resource-limit and file-opening functions, bound with JNR-FFI apart
 * from {@link LibC} and only on first use ({@link Posix#process()}): the master and the tests
 * need them, a worker never does, and JNR generates code for every function of an interface when
 * it binds it (each in every worker's spawn-to-READY, docs/benchmarks.md). Same conventions as {@link LibC}:
 * raw addresses of preallocated memory, -1 and errno, except {@code posix_spawn*}, which return
 * the error number.
 */
public interface ProcessLibC
{
    /** {@code void (*sa_sigaction)(int, siginfo_t *, void *)}. Keep a strong reference for the life of the process. */
    interface SigInfoHandler
    {
        @Delegate
        void onSignal(int signo, long sigInfoAddress, long ucontextAddress);
    }

    int close_range(int first, int last, int flags);

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

    int geteuid();

    /** {@code open(2)}, for a file whose fd is handed on (the log file, which becomes fd 2). */
    int open(String path, int flags, int mode);

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
}
