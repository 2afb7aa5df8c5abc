package dev.mpserver.protocol.rtmp;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class Amf0Test
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
    private final Amf0Writer writer = new Amf0Writer().wrap(buffer, 0);

    private byte[] written()
    {
        final byte[] bytes = new byte[writer.length()];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            bytes[i] = (byte)values[i];
        }
        return bytes;
    }

    private static byte[] cat(final byte[]... parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static Amf0Reader reader(final byte[] bytes)
    {
        return new Amf0Reader().wrap(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    /** Read (or skip) every value of the region; what the two loops of the bound tests share. */
    private static void readAll(final Amf0Reader reader, final boolean skip)
    {
        while (reader.hasRemaining())
        {
            if (skip)
            {
                reader.skipValue();
            }
            else
            {
                reader.readValue();
            }
        }
    }

    @Test
    void writesEachTypeAsTheSpecLaysItOut()
    {
        writer.number(1.0);
        assertArrayEquals(bytes(0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0), written());

        writer.wrap(buffer, 0).bool(true).bool(false).nullValue().undefined();
        assertArrayEquals(bytes(0x01, 1, 0x01, 0, 0x05, 0x06), written());

        writer.wrap(buffer, 0).string("ab");
        assertArrayEquals(bytes(0x02, 0, 2, 'a', 'b'), written());

        writer.wrap(buffer, 0).objectStart().property("a", 1.0).objectEnd();
        assertArrayEquals(bytes(0x03, 0, 1, 'a', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09), written());

        writer.wrap(buffer, 0).ecmaArrayStart(1).property("b", true).objectEnd();
        assertArrayEquals(bytes(0x08, 0, 0, 0, 1, 0, 1, 'b', 0x01, 1, 0, 0, 0x09), written());

        writer.wrap(buffer, 0).strictArrayStart(2).nullValue().bool(true);
        assertArrayEquals(bytes(0x0A, 0, 0, 0, 2, 0x05, 0x01, 1), written());

        writer.wrap(buffer, 0).date(0.0);
        assertArrayEquals(bytes(0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), written());

        writer.wrap(buffer, 0).typedObjectStart("C").property("x", "y").objectEnd();
        assertArrayEquals(bytes(0x10, 0, 1, 'C', 0, 1, 'x', 0x02, 0, 1, 'y', 0, 0, 0x09), written());
    }

    @Test
    void writesUtf8AndSwitchesToLongStringsOver65535Bytes()
    {
        final String text = "é€\uD83D\uDE00";
        writer.string(text);
        final byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(9, utf8.length);
        assertArrayEquals(cat(bytes(0x02, 0, 9), utf8), written());

        final String longText = "x".repeat(70_000);
        writer.wrap(buffer, 0).string(longText);
        final byte[] bytes = written();
        assertArrayEquals(bytes(0x0C, 0, 0x01, 0x11, 0x70), Arrays.copyOf(bytes, 5));
        assertEquals(longText, reader(bytes).readString());

        writer.wrap(buffer, 0).string("a\uD800b");   // an unpaired surrogate becomes '?', as String.getBytes does
        assertEquals("a?b", reader(written()).readString());
    }

    @Test
    void roundTripsTheValueModel()
    {
        final Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("level", "status");
        inner.put("n", 3.5);
        inner.put("flag", false);
        inner.put("nothing", null);
        final Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("inner", inner);
        outer.put("list", List.of(1.0, "two", List.of(), new Amf0Date(1.7e12, 0)));
        outer.put("typed", new Amf0TypedObject("flex.Message", Map.of("k", "v")));
        outer.put("unicode", "日本語");

        writer.value("command").value(2.0).value(outer).value(null);
        final Amf0Reader reader = reader(written());
        assertEquals("command", reader.readValue());
        assertEquals(2.0, reader.readValue());
        assertEquals(outer, reader.readValue());
        assertNull(reader.readValue());
        assertFalse(reader.hasRemaining());
    }

    @Test
    void readsReferencesToFinishedObjectsOnly()
    {
        // [ {a: 1}, reference 1 ]: complex values are numbered as they start, the array itself is 0.
        final byte[] array = cat(bytes(0x0A, 0, 0, 0, 2, 0x03, 0, 1, 'a', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09),
            bytes(0x07, 0, 1));
        final List<?> list = (List<?>)reader(array).readValue();
        assertEquals(2, list.size());
        assertSame(list.get(0), list.get(1));
        array[array.length - 1] = 0;
        assertEquals("reference 0 to an object that is not finished (at byte 21)",
            assertThrows(Amf0Exception.class, () -> reader(array).readValue()).getMessage());

        // {self: reference 0} points at itself before it is finished: a cycle, refused.
        final byte[] cycle = bytes(0x03, 0, 4, 's', 'e', 'l', 'f', 0x07, 0, 0, 0, 0, 0x09);
        final Amf0Exception cycleError = assertThrows(Amf0Exception.class, () -> reader(cycle).readValue());
        assertEquals("reference 0 to an object that is not finished (at byte 7)", cycleError.getMessage());

        // A skipped object keeps its number, but cannot be returned.
        final Amf0Reader skipping = reader(cat(bytes(0x03, 0, 0, 0x09), bytes(0x07, 0, 0)));
        skipping.skipValue();
        assertEquals("reference 0 to an object that was skipped, not read (at byte 4)",
            assertThrows(Amf0Exception.class, skipping::readValue).getMessage());

        final Amf0Exception outOfRange = assertThrows(Amf0Exception.class, () -> reader(bytes(0x07, 0, 5)).readValue());
        assertEquals("reference 5 to one of 0 objects (at byte 0)", outOfRange.getMessage());
    }

    @Test
    void refusesNestingDeeperThanTheBound()
    {
        final ByteArrayOutputStream deep = new ByteArrayOutputStream();
        for (int i = 0; i < 17; i++)
        {
            deep.writeBytes(bytes(0x03, 0, 1, 'o'));
        }
        deep.write(0x05);
        for (int i = 0; i < 17; i++)
        {
            deep.writeBytes(bytes(0, 0, 0x09));
        }
        final byte[] tooDeep = deep.toByteArray();
        final Amf0Exception error = assertThrows(Amf0Exception.class, () -> reader(tooDeep).readValue());
        assertEquals("objects nested deeper than 16 (at byte 64)", error.getMessage());
        assertThrows(Amf0Exception.class, () -> reader(tooDeep).skipValue());

        // 16 levels are fine, and a deeper bound accepts 17.
        assertEquals(1, ((Map<?, ?>)new Amf0Reader(17).wrap(new UnsafeBuffer(tooDeep), 0, tooDeep.length).readValue()).size());
    }

    @Test
    void truncatedInputGivesACleanErrorAtEveryLength()
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer();
        final Amf0Writer amf = CommandWriter.connect(new Amf0Writer().wrap(body, 0), 1, "live?vhost=v1",
            "rtmp://127.0.0.1:1935/live?vhost=v1", "FMLE/3.0 (compatible; Lavf59.27.100)", true);
        final int commandObjectEnd = amf.position();
        amf.strictArrayStart(3).date(5).typedObjectStart("T").property("r", 2).objectEnd();
        final byte[] longString = { 0x0C, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o' };
        body.putBytes(amf.position(), longString);
        final int arrayEnd = amf.position() + longString.length;
        final int length = amf.wrap(body, arrayEnd).ecmaArrayStart(0).property("k", 1).objectEnd().position();

        for (final boolean skip : new boolean[]{ false, true })
        {
            final List<Integer> accepted = new ArrayList<>();
            for (int cut = 0; cut < length; cut++)
            {
                final Amf0Reader reader = new Amf0Reader().wrap(body, 0, cut);
                try
                {
                    readAll(reader, skip);
                    accepted.add(cut);
                }
                catch (final Amf0Exception expected)
                {
                    final String reason = expected.getMessage();
                    assertTrue(reason.startsWith("truncated") || reason.startsWith("long string") ||
                        reason.startsWith("strict array"), "cut " + cut + ": " + reason);
                }
            }
            // Only the top-level value boundaries read: nothing, "connect", 1.0, the command object,
            // the strict array; and the trailing ECMA array without its 00 00 09 (empty, or after
            // its property), which may be missing at the end of a message.
            final int stringEnd = Amf0.stringLength("connect");
            final int ecmaHeaderEnd = arrayEnd + Amf0.MARKER_LENGTH + Amf0.ARRAY_COUNT_FIELD;
            assertEquals(
                List.of(0, stringEnd, stringEnd + Amf0.NUMBER_LENGTH, commandObjectEnd, arrayEnd, ecmaHeaderEnd, length - 3),
                accepted, skip ? "skipValue" : "readValue");
        }
    }

    @Test
    void randomBytesOnlyEverGiveAmf0Exceptions()
    {
        final Random random = new Random(0xA3F0);
        final byte[] garbage = new byte[64];
        for (int round = 0; round < 50_000; round++)
        {
            random.nextBytes(garbage);
            garbage[0] = (byte)random.nextInt(0x13);   // mostly valid markers, to get deeper
            final int length = 1 + random.nextInt(garbage.length);
            for (final boolean skip : new boolean[]{ false, true })
            {
                final Amf0Reader reader = new Amf0Reader().wrap(new UnsafeBuffer(garbage), 0, length);
                try
                {
                    readAll(reader, skip);
                }
                catch (final Amf0Exception expected)
                {
                    assertTrue(expected.position() >= 0 && expected.position() <= length);
                }
                catch (final RuntimeException unexpected)
                {
                    fail("round " + round + ": " + unexpected, unexpected);
                }
            }
        }
    }

    @Test
    void aCountThatLiesNeverAllocatesOrLoops()
    {
        final Amf0Exception strict = assertThrows(Amf0Exception.class,
            () -> reader(bytes(0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05)).readValue());
        assertEquals("strict array of 4294967295 elements in 1 bytes (at byte 5)", strict.getMessage());
        final Amf0Exception longString = assertThrows(Amf0Exception.class,
            () -> reader(bytes(0x0C, 0x7F, 0xFF, 0xFF, 0xFF, 'a')).readValue());
        assertEquals("long string of 2147483647 bytes with 1 left (at byte 5)", longString.getMessage());
    }

    @Test
    void anEcmaArrayMayLackItsEndAtTheEndOfTheMessageButAnObjectMayNot()
    {
        final byte[] ecma = bytes(0x08, 0, 0, 0, 1, 0, 1, 'w', 0x00, 0x40, 0x74, 0, 0, 0, 0, 0, 0);
        assertEquals(Map.of("w", 320.0), reader(ecma).readValue());
        final byte[] object = bytes(0x03, 0, 1, 'w', 0x00, 0x40, 0x74, 0, 0, 0, 0, 0, 0);
        final Amf0Exception error = assertThrows(Amf0Exception.class, () -> reader(object).readValue());
        assertEquals("truncated: a property name or object end needs 2 bytes, 0 left (at byte 13)", error.getMessage());
        final byte[] badEnd = bytes(0x03, 0, 0, 0x05);
        assertEquals("empty property name followed by marker 0x5, not the object end (at byte 1)",
            assertThrows(Amf0Exception.class, () -> reader(badEnd).readValue()).getMessage());
    }

    @Test
    void refusesAmf3AndReservedMarkersClearly()
    {
        assertEquals("AMF3 value (marker 0x11) is not supported (at byte 0)",
            assertThrows(Amf0Exception.class, () -> reader(bytes(0x11, 0x01)).readValue()).getMessage());
        assertEquals("unknown or reserved AMF0 marker 0x4 (at byte 0)",
            assertThrows(Amf0Exception.class, () -> reader(bytes(0x04)).skipValue()).getMessage());
        assertEquals("expected a number, found marker 0x2 (at byte 0)",
            assertThrows(Amf0Exception.class, () -> reader(bytes(0x02, 0, 0)).readNumber()).getMessage());
    }

    @Test
    void matchesAndSkipsWithoutAllocating()
    {
        writer.string("onStatus").number(0).nullValue()
            .objectStart().property("level", "status").property("code", "NetStream.Play.Start").objectEnd()
            .string("tail");
        final UnsafeBuffer bytes = new UnsafeBuffer(written());
        final Amf0Reader reader = new Amf0Reader();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final Amf0Writer replies = new Amf0Writer();
        final int[] matched = { 0 };
        AllocationCheck.assertAllocatesNothing("matching, skipping and writing onStatus", 20_000, () ->
        {
            reader.wrap(bytes, 0, bytes.capacity());
            if (reader.nextIsString("onStatus"))
            {
                reader.skipValue();
                reader.readNull();
                reader.skipValue();
                matched[0] += reader.nextIsString("tail") ? 1 : 0;
            }
            CommandWriter.onStatus(replies.wrap(out, 0), StatusCode.LEVEL_STATUS, StatusCode.PLAY_START, "Started.");
        });
        assertEquals(AllocationCheck.RUNS * 20_000, matched[0]);
    }

    @Test
    void writerRefusesNamesItCannotWrite()
    {
        assertThrows(IllegalArgumentException.class, () -> writer.name(""));
        assertThrows(IllegalArgumentException.class, () -> writer.name("n".repeat(70_000)));
        assertThrows(IllegalArgumentException.class, () -> writer.value(new Object()));
    }

    @Test
    void readsDatesAndTheSmallTypes()
    {
        final byte[] date = cat(bytes(0x0B), ByteBuffer.allocate(10).putDouble(1.5e12).putShort((short)-60).array());
        assertEquals(new Amf0Date(1.5e12, -60), reader(date).readValue());
        assertNull(reader(bytes(0x06)).readValue());
        assertNull(reader(bytes(0x0D)).readValue());
        assertEquals(true, reader(bytes(0x01, 7)).readBoolean());
        final List<Object> values = new ArrayList<>();
        final Amf0Reader reader = reader(bytes(0x05, 0x06));
        reader.readNull();
        reader.readNull();
        values.add(reader.hasRemaining());
        assertEquals(List.of(false), values);
    }
}
