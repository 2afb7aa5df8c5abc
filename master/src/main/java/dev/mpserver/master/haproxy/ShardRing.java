package dev.mpserver.master.haproxy;

import java.util.zip.CRC32;

import dev.mpserver.protocol.wire.WireProtocol;

/**
 * Which of N hosts serves a shard, and which host takes it over when that one is down: exactly
 * what the configuration of {@code mpserver haproxy-config} makes HAProxy compute.
 *
 * <pre>
 *   first frame:   | 'C' | id0 | id1 | id2 | id3 |     the shard id, int32 little-endian
 *                  0     1                       5
 *                        └──── req.payload(1,4) ─┘
 *
 *   host   = crc32(id0 id1 id2 id3) mod N             HAProxy: req.payload(1,4),crc32,mod(N)
 *   backup = host + 1, host + 2, ... (mod N)          the first of them that is up
 * </pre>
 *
 * The CRC is CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the same function as HAProxy's
 * {@code crc32} converter and {@link CRC32}, taken as an unsigned 32-bit number; the bytes are the
 * id's bytes as the client sent them, so the id's byte order is part of the contract.
 */
public final class ShardRing
{
    private final int hosts;

    public ShardRing(final int hosts)
    {
        if (hosts < 1)
        {
            throw new IllegalArgumentException("a ring needs at least one host, got " + hosts);
        }
        this.hosts = hosts;
    }

    public int hosts()
    {
        return hosts;
    }

    /** @return the index (0-based, in --hosts order) of the host that serves {@code shardId}. */
    public int hostOf(final int shardId)
    {
        final byte[] id = new byte[WireProtocol.CONTROL_FRAME_LENGTH - WireProtocol.CONTROL_SHARD_ID_OFFSET];
        for (int i = 0; i < id.length; i++)
        {
            id[i] = (byte)(shardId >>> (Byte.SIZE * i)); // little-endian, as on the wire
        }
        final CRC32 crc = new CRC32();
        crc.update(id, 0, id.length);
        return (int)(crc.getValue() % hosts); // getValue() is the unsigned 32-bit CRC
    }

    /** @return the host that stands in for {@code host} as its {@code rank}-th backup (rank 1 = the next host). */
    public int backup(final int host, final int rank)
    {
        return (host + rank) % hosts;
    }
}
