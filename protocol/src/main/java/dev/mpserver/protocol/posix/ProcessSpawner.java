package dev.mpserver.protocol.posix;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Starts a child with {@code posix_spawn}, placing chosen fds at fixed numbers (channel on 3,
 * listener on 4), closing every other fd, and giving the child a chosen signal mask (empty for a
 * worker) and default dispositions for the signals the parent handles. No {@code ProcessBuilder}: its reaper thread
 * would steal our children, and it cannot place fds.
 *
 * <p>posix_spawn_file_actions_t is 80 bytes and posix_spawnattr_t 336 bytes in glibc; both are
 * opaque and only touched through glibc's init/add/set calls.
 */
public final class ProcessSpawner
{
    public static final int FILE_ACTIONS_SIZE = 80;
    public static final int ATTRIBUTES_SIZE = 336;
    public static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    public static final short POSIX_SPAWN_SETSIGMASK = 0x08;

    /** Sources are first duplicated to at least this number so dup2 onto 3, 4, … never clobbers one of them. */
    public static final int SAFE_FD_FLOOR = 100;

    private ProcessSpawner()
    {
    }

    /**
     * @param executable absolute path of the program
     * @param argv       argv, argv[0] included
     * @param environment "NAME=value" entries
     * @param childFds   childFds[i] becomes fd {@code firstChildFd + i} in the child
     * @param defaultSignals signals whose disposition is reset to default in the child (may be null)
     * @param childMask signals blocked in the child (null: none); every thread the child creates inherits it
     * @return the child's pid
     */
    public static int spawn(
        final String executable,
        final List<String> argv,
        final List<String> environment,
        final int firstChildFd,
        final int[] childFds,
        final SigSet defaultSignals,
        final SigSet childMask)
    {
        final NativeStrings path = new NativeStrings(List.of(executable));
        final NativeStrings args = new NativeStrings(argv);
        final NativeStrings env = new NativeStrings(environment);
        final UnsafeBuffer actions = NativeMemory.allocate(FILE_ACTIONS_SIZE);
        final UnsafeBuffer attributes = NativeMemory.allocate(ATTRIBUTES_SIZE);
        final int[] safe = new int[childFds.length];
        final ProcessLibC libc = Posix.process();

        Posix.checkedReturn("posix_spawn_file_actions_init", libc.posix_spawn_file_actions_init(actions.addressOffset()));
        Posix.checkedReturn("posix_spawnattr_init", libc.posix_spawnattr_init(attributes.addressOffset()));
        try
        {
            for (int i = 0; i < childFds.length; i++)
            {
                safe[i] = Posix.dupAtLeast(childFds[i], SAFE_FD_FLOOR);
                Posix.checkedReturn("posix_spawn_file_actions_adddup2",
                    libc.posix_spawn_file_actions_adddup2(actions.addressOffset(), safe[i], firstChildFd + i));
            }
            Posix.checkedReturn("posix_spawn_file_actions_addclosefrom_np",
                libc.posix_spawn_file_actions_addclosefrom_np(actions.addressOffset(), firstChildFd + childFds.length));

            short flags = POSIX_SPAWN_SETSIGMASK;
            Posix.checkedReturn("posix_spawnattr_setsigmask",
                libc.posix_spawnattr_setsigmask(
                    attributes.addressOffset(), (null != childMask ? childMask : new SigSet().clear()).address()));
            if (null != defaultSignals)
            {
                flags |= POSIX_SPAWN_SETSIGDEF;
                Posix.checkedReturn("posix_spawnattr_setsigdefault",
                    libc.posix_spawnattr_setsigdefault(attributes.addressOffset(), defaultSignals.address()));
            }
            Posix.checkedReturn("posix_spawnattr_setflags", libc.posix_spawnattr_setflags(attributes.addressOffset(), flags));

            final int[] pid = new int[1];
            final int error = libc.posix_spawn(
                pid, path.stringAddress(0), actions.addressOffset(), attributes.addressOffset(), args.address(), env.address());
            if (0 != error)
            {
                throw new PosixException("posix_spawn", error, executable);
            }
            return pid[0];
        }
        finally
        {
            for (final int fd : safe)
            {
                if (fd > 0)
                {
                    Posix.closeQuietly(fd);
                }
            }
            libc.posix_spawn_file_actions_destroy(actions.addressOffset());
            libc.posix_spawnattr_destroy(attributes.addressOffset());
        }
    }
}
