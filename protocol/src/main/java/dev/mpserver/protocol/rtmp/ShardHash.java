package dev.mpserver.protocol.rtmp;

import java.nio.charset.StandardCharsets;

/**
 * The shard id of an RTMP key: 32-bit FNV-1a over the key's UTF-8 bytes, as an int (negative values
 * included, as any int32 is a shard id in the {@code 'C'} protocol).
 *
 * <p>Stable by construction: FNV-1a is defined on bytes (offset basis 0x811C9DC5, prime 0x01000193),
 * UTF-8 is fixed, and nothing depends on the JVM, the run or {@code String.hashCode}. So every
 * worker, every restart and every tool (loadgen's routing check) computes the same id for a key.
 * Reference values: "" → 0x811C9DC5, "a" → 0xE40C292C, "foobar" → 0xBF9CF968. Computed once per
 * connection, so the UTF-8 array it makes does not matter.
 */
public final class ShardHash
{
    public static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    public static final int FNV_PRIME = 0x01000193;

    private ShardHash()
    {
    }

    /** @return the FNV-1a hash of the UTF-8 form of {@code key}. */
    public static int of(final CharSequence key)
    {
        int hash = FNV_OFFSET_BASIS;
        for (final byte octet : key.toString().getBytes(StandardCharsets.UTF_8))
        {
            hash = (hash ^ (octet & 0xFF)) * FNV_PRIME;
        }
        return hash;
    }
}
