package dev.mpserver.loadgen.engine;

/** Where in its life a connection was when it ended badly. */
public enum Phase
{
    /** TCP connect not yet complete. */
    CONNECT("connect"),
    /** 'C' and the first 'M' sent, first reply not yet received: the server is routing the client. */
    ROUTE("route"),
    /** Routed; exchanging the remaining messages. */
    MESSAGE("message"),
    /** --verify: 'I' sent, its reply not yet received. */
    IDENTIFY("identify"),
    /** --hold: all done, keeping the connection open. */
    HOLD("hold");

    private final String label;

    Phase(final String label)
    {
        this.label = label;
    }

    public String label()
    {
        return label;
    }
}
