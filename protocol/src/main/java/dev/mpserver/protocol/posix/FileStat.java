package dev.mpserver.protocol.posix;

import org.agrona.concurrent.UnsafeBuffer;

/** The fields of x86-64 {@code struct stat} (144 bytes) we read: st_dev (@0), st_ino (@8), st_mode (@24). */
public final class FileStat
{
    public static final int DEV_OFFSET = 0;
    public static final int INO_OFFSET = DEV_OFFSET + Long.BYTES;
    public static final int MODE_OFFSET = 24;
    public static final int SIZE = 144;

    public static final int S_IFMT = 0xF000;
    public static final int S_IFSOCK = 0xC000;

    private final UnsafeBuffer memory = NativeMemory.allocate(SIZE);

    /** fstat(fd) into this buffer; throws on error. */
    public FileStat of(final int fd)
    {
        Posix.checked("fstat", Posix.LIBC.fstat(fd, memory.addressOffset()));
        return this;
    }

    public long device()
    {
        return memory.getLong(DEV_OFFSET);
    }

    public long inode()
    {
        return memory.getLong(INO_OFFSET);
    }

    public boolean isSocket()
    {
        return (memory.getInt(MODE_OFFSET) & S_IFMT) == S_IFSOCK;
    }
}
