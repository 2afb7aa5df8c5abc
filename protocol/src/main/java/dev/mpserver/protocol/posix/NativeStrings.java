package dev.mpserver.protocol.posix;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A NULL-terminated {@code char *[]} (argv, envp) in off-heap memory, built once per spawn.
 *
 * <pre>
 *  +---------+---------+-----+---------+------+------------------------------+
 *  | char* 0 | char* 1 | ... | char* n | NULL | "str0\0" "str1\0" ... "strn\0" |
 *  +---------+---------+-----+---------+------+------------------------------+
 * </pre>
 */
public final class NativeStrings
{
    private final UnsafeBuffer memory;

    public NativeStrings(final List<String> strings)
    {
        final int pointers = (strings.size() + 1) * Long.BYTES;
        int total = pointers;
        final byte[][] encoded = new byte[strings.size()][];
        for (int i = 0; i < encoded.length; i++)
        {
            encoded[i] = strings.get(i).getBytes(StandardCharsets.UTF_8);
            total += encoded[i].length + 1;
        }
        memory = NativeMemory.allocate(total);
        int at = pointers;
        for (int i = 0; i < encoded.length; i++)
        {
            memory.putLong(i * Long.BYTES, memory.addressOffset() + at);
            memory.putBytes(at, encoded[i]);
            memory.putByte(at + encoded[i].length, (byte)0);
            at += encoded[i].length + 1;
        }
        memory.putLong(encoded.length * Long.BYTES, 0L);
    }

    /** The {@code char **}. */
    public long address()
    {
        return memory.addressOffset();
    }

    /** The {@code char *} of string {@code index}. */
    public long stringAddress(final int index)
    {
        return memory.getLong(index * Long.BYTES);
    }
}
