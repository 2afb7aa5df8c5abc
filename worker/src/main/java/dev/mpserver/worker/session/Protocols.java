package dev.mpserver.worker.session;

import dev.mpserver.worker.client.ClientTable;

/**
 * The protocols a worker speaks, in the order they are asked to recognise a new connection's first
 * byte; the first one is the default, which takes whatever no other protocol recognises (so an
 * unknown first byte is answered in that protocol's way) and whose hand-offs carry no payload.
 */
public final class Protocols
{
    private static final int MAX_PROTOCOLS = 8;

    private final SessionProtocol[] protocols = new SessionProtocol[MAX_PROTOCOLS];
    private int count;

    /**
     * Adds a protocol; the first one added is the default. Protocols are added while the worker is
     * put together (a protocol's session needs the router, which needs this registry).
     */
    public Protocols add(final SessionProtocol protocol)
    {
        if (count == MAX_PROTOCOLS || indexOfId(protocol.id()) != ClientTable.NO_PROTOCOL)
        {
            throw new IllegalArgumentException("cannot add protocol " + protocol.name());
        }
        protocols[count++] = protocol;
        return this;
    }

    /** Index of the protocol a connection starting with {@code firstByte} speaks (the default if none claims it). */
    public byte indexFor(final byte firstByte)
    {
        for (byte i = 1; i < count; i++)
        {
            if (protocols[i].recognises(firstByte))
            {
                return i;
            }
        }
        return 0;
    }

    /** Index of the protocol whose hand-off payloads start with {@code id}, or {@link ClientTable#NO_PROTOCOL}. */
    public byte indexOfId(final byte id)
    {
        for (byte i = 0; i < count; i++)
        {
            if (protocols[i].id() == id)
            {
                return i;
            }
        }
        return ClientTable.NO_PROTOCOL;
    }

    public SessionProtocol get(final byte index)
    {
        return protocols[index];
    }

    /** The client's protocol, or the default one while its first bytes are not read. */
    public SessionProtocol of(final ClientTable table, final int slot)
    {
        final byte index = table.protocol(slot);
        return protocols[index == ClientTable.NO_PROTOCOL ? 0 : index];
    }

    /** True if the client speaks the default protocol, whose clients travel without state. */
    public boolean isDefault(final ClientTable table, final int slot)
    {
        return table.protocol(slot) <= 0;
    }
}
