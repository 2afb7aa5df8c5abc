package dev.mpserver.loadgen.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mpserver.loadgen.config.LoadConfig;
import dev.mpserver.protocol.wire.WireProtocol;
import org.junit.jupiter.api.Test;

class ShardIdsNoneTest
{
    @Test
    void noneSendsNoControlFrameAndRefusesVerification()
    {
        final ShardIds none = ShardIds.parse("none");
        assertFalse(none.sendsControl());
        assertEquals(WireProtocol.NO_SHARD, none.newGenerator(10, 1, null).shardFor(5));
        assertThrows(IllegalArgumentException.class, () -> LoadConfig.builder(9000).shardIds(none).verify(true).build());
    }
}
