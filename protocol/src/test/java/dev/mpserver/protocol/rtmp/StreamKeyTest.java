package dev.mpserver.protocol.rtmp;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamKeyTest
{
    @Test
    void vhostComesFromTheStreamNameThenTheAppThenTheTcUrlThenItsHost()
    {
        assertEquals(new StreamKey("v1", "live", "s1"),
            StreamKey.resolve("rtmp://host/live?vhost=v0", "live?vhost=v2", "s1?vhost=v1&token=x"));
        assertEquals(new StreamKey("v2", "live", "s1"),
            StreamKey.resolve("rtmp://host/live?vhost=v0", "live?vhost=v2", "s1?token=x"));
        assertEquals(new StreamKey("v0", "live", "s1"), StreamKey.resolve("rtmp://host/live?vhost=v0", "live", "s1"));
        assertEquals(new StreamKey("cdn.example.com", "live", "s1"),
            StreamKey.resolve("rtmp://user:pw@CDN.Example.com:1935/live", "live", "s1"));
        assertEquals(new StreamKey(StreamKey.DEFAULT_VHOST, "live", null), StreamKey.resolve(null, "live", null));
        assertEquals(new StreamKey("[::1]", "live", null), StreamKey.resolve("rtmp://[::1]:1935/live", "live", null));
    }

    @Test
    void readsTheQueryFormsSrsAccepts()
    {
        assertEquals("v1", StreamKey.resolve(null, "live...vhost...v1", null).vhost());      // FMLE
        assertEquals("v1", StreamKey.resolve(null, "live?token=a,vhost=v1", null).vhost());
        assertEquals("v1", StreamKey.resolve(null, "live?domain=v1", null).vhost());
        assertEquals("v1", StreamKey.resolve(null, "live", "s?a=1&&vhost=V1").vhost());
        assertEquals("live", StreamKey.resolve(null, "live...vhost...v1", null).app());
        assertNull(RtmpUrl.queryVhost("live?vhost="));
        assertNull(RtmpUrl.queryVhost("live?myvhost=x"));
    }

    @Test
    void appAndStreamLoseTheirQueriesSlashesAndDefinst()
    {
        assertEquals(new StreamKey("h", "live", "s1"), StreamKey.resolve("rtmp://h/live", "/live/_definst_/", "s1?k=v"));
        assertEquals(new StreamKey("h", "live/sub", "mp4:a/b"), StreamKey.resolve("rtmp://h/x", "live/sub", "mp4:a/b"));
        // ffmpeg sends an empty app for rtmp://h/stream: take it from the tcUrl (also empty here).
        assertEquals("app", StreamKey.resolve("rtmp://h:1935/app?x=1", "", "s").app());
        assertEquals("", StreamKey.resolve("rtmp://h", "", "s").app());
    }

    @Test
    void shardKeysAndIdsAreStableTextAndFnv1a()
    {
        final StreamKey key = new StreamKey("v1", "live", "s1");
        assertEquals("v1", key.shardKey(ShardBy.VHOST));
        assertEquals("v1/live", key.shardKey(ShardBy.APP));
        assertEquals("v1/live/s1", key.shardKey(ShardBy.STREAM));
        assertEquals(ShardHash.of("v1/live"), key.shardId(ShardBy.APP));
        assertThrows(IllegalStateException.class, () -> new StreamKey("v", "a", null).shardKey(ShardBy.STREAM));

        // FNV-1a 32 reference vectors (Fowler/Noll/Vo test suite).
        assertEquals(0x811C9DC5, ShardHash.of(""));
        assertEquals(0xE40C292C, ShardHash.of("a"));
        assertEquals(0xBF9CF968, ShardHash.of("foobar"));
        // UTF-8, not UTF-16: "é" is C3 A9.
        assertEquals(((0x811C9DC5 ^ 0xC3) * 0x01000193 ^ 0xA9) * 0x01000193, ShardHash.of("é"));

        assertEquals(ShardBy.STREAM, ShardBy.parse("Stream"));
        assertThrows(IllegalArgumentException.class, () -> ShardBy.parse("host"));
    }

    @Test
    void connectRequestComesFromTheCommandObjectAsFfmpegSendsIt()
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer();
        final int length = CommandWriter.connect(new Amf0Writer().wrap(body, 0), 1, "live",
            "rtmp://127.0.0.1:1935/live", "FMLE/3.0 (compatible; Lavf59.27.100)", false).length();
        final RtmpCommand connect = RtmpCommand.decode(new Amf0Reader(), body, 0, length, MessageType.AMF0_COMMAND);
        final ConnectRequest request = ConnectRequest.of(connect);
        assertEquals(new ConnectRequest("live", "rtmp://127.0.0.1:1935/live", "FMLE/3.0 (compatible; Lavf59.27.100)", 0),
            request);
        assertEquals(new StreamKey("127.0.0.1", "live", "s1"), StreamKey.resolve(request, "s1"));
        assertEquals("live/s1", StreamKey.resolve(request, "s1").streamPath());
    }
}
